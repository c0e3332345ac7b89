// Stands in for libFuzzer where clang's is missing: feeds the fuzz target random inputs, many
// of them mutations of earlier ones, for a bounded number of runs. Usage: driver [runs] [seed]

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  long runs = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  unsigned seed = argc > 2 ? static_cast<unsigned>(std::atol(argv[2])) : std::random_device{}();
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> input;
  for (long i = 0; i < runs; ++i) {
    // Mostly small edits of the last input, so that lengths and flags sometimes line up.
    if (input.empty() || rng() % 16 == 0) input.assign(rng() % 64, 0);
    for (int edits = 1 + static_cast<int>(rng() % 4); edits > 0; --edits) {
      std::size_t at = input.empty() ? 0 : rng() % input.size();
      switch (rng() % 4) {
        case 0: input.insert(input.begin() + static_cast<long>(at), static_cast<std::uint8_t>(rng())); break;
        case 1: if (!input.empty()) input.erase(input.begin() + static_cast<long>(at)); break;
        case 2: if (!input.empty()) input[at] = static_cast<std::uint8_t>(rng() % 4); break;
        default: if (!input.empty()) input[at] = static_cast<std::uint8_t>(rng()); break;
      }
    }
    LLVMFuzzerTestOneInput(input.data(), input.size());
  }
  std::printf("inputs fuzzed: %ld\n", runs);
}
