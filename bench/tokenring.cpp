// tokenring: a token goes round a ring of processes, each passing it on plus one, over one
// unbuffered channel per process. Figures: ns_per_hop, bytes_per_process (growth of resident
// memory from before the ring is built to after its first lap, over its size) and processes.
// With --max-processes --budget=SIZE it instead finds how many processes fit in SIZE bytes.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "baseline/thread_net.hpp"
#include "bench_support.hpp"
#include "csp_net.hpp"

namespace {

const auto element = [](auto in, auto out) {
  for (;;) out.write(in.read() + 1);
};

/// Builds a ring of `size` processes, one of them running `root(in, out)`, and runs it.
template <class Net, class Root>
void ring(long size, Root root) {
  std::vector<typename Net::template Channel<long>> channels(size);
  std::vector<decltype(Net::process(element, channels[0].reader(), channels[0].writer()))> procs;
  procs.reserve(size);
  for (long i = 1; i < size; ++i)
    procs.push_back(Net::process(element, channels[i - 1].reader(), channels[i].writer()));
  procs.push_back(Net::process(root, channels[size - 1].reader(), channels[0].writer()));
  Net::run_all(procs);
}

const auto lap = [](auto& in, auto& out) {
  out.write(0);
  benchmark::DoNotOptimize(in.read());
};

template <class Net>
void tokenring(benchmark::State& state) {
  const long size = state.range(0);
  // Later rings of the same program reuse memory the first one left (stacks, heap), so only the
  // first measures the growth.
  static std::map<long, double> bytes_per_process;
  const std::size_t before = bench::resident_bytes();
  ring<Net>(size, [&](auto in, auto out) {
    lap(in, out);  // every process has run and parked once
    bytes_per_process.try_emplace(size, double(bench::resident_bytes() - before) / size);
    for (auto _ : state) lap(in, out);
    out.poison();  // stops the ring: each element passes the poison on
  });
  state.counters["processes"] = double(size);
  state.counters["bytes_per_process"] = bytes_per_process[size];
  bench::report(state, "ns_per_hop", double(size));
}

/// Resident memory growth of a ring of `size` csp processes after one lap, measured in a fresh
/// OS process: after a bigger ring, this one would reuse memory that ring left resident.
std::size_t footprint(long size) {
  const std::string command = std::filesystem::read_symlink("/proc/self/exe").string() +
                              " --footprint=" + std::to_string(size);
  std::FILE* child = ::popen(command.c_str(), "r");
  std::size_t grown = 0;
  if (!child || std::fscanf(child, "%zu", &grown) != 1 || ::pclose(child) != 0)
    throw std::runtime_error(command + " failed");
  return grown;
}

/// What --footprint=SIZE prints: the growth of a ring of `size` from before it was built.
int print_footprint(long size) {
  ring<bench::CspNet>(2, [](auto in, auto out) {  // starts the runtime before the baseline
    lap(in, out);
    out.poison();
  });
  const std::size_t base = bench::resident_bytes();
  ring<bench::CspNet>(size, [&](auto in, auto out) {
    lap(in, out);
    std::printf("%zu\n", bench::resident_bytes() - base);
    out.poison();
  });
  return 0;
}

std::size_t memory_available() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key, unit;
  std::size_t kib = 0;
  while (meminfo >> key >> kib && std::getline(meminfo, unit))
    if (key == "MemAvailable:") return kib * 1024;
  return 0;
}

/// "8GiB", "512MiB", "2GB", "1000000": bytes.
std::size_t parse_size(const std::string& text) {
  std::size_t end = 0;
  const double n = std::stod(text, &end);
  const std::string unit = text.substr(end);
  const std::map<std::string, double> units{{"", 1},      {"B", 1},      {"KiB", 0x1p10},
                                            {"MiB", 0x1p20}, {"GiB", 0x1p30}, {"KB", 1e3},
                                            {"MB", 1e6},    {"GB", 1e9}};
  return std::size_t(n * units.at(unit));
}

/// Finds the largest ring that runs a lap within `budget` bytes of resident growth: a ring of
/// 100,000 measures the bytes per process, the next ring is sized 1% under the limit those
/// predict, and so on until one that fits is within 2% of its predicted limit (at most 10
/// rings). Rather than take more than the machine has available, it stops short and says so.
int max_processes(std::size_t budget) {
  long fits = 0;
  double per_process = 0;
  const char* limited_by = "budget";
  int attempts = 0;
  for (long size = 100'000;;) {
    const std::size_t grown = footprint(size);
    const double measured = double(grown) / double(size);
    std::fprintf(stderr, "tokenring csp: %ld processes: %zu bytes resident growth\n", size, grown);
    if (grown <= budget && size > fits) {
      fits = size;
      per_process = measured;
    }
    const auto limit = long(double(budget) / measured);
    if (fits && limit < fits + fits / 50) break;
    if (std::string_view(limited_by) != "budget") break;  // the ring that fitted the machine ran
    if (++attempts == 10) break;
    long next = limit - limit / 100;
    const double spare = double(memory_available()) - 0x1p30;
    if (next > size && double(next - size) * measured > spare) {
      next = size + long(std::max(0.0, spare) / measured);
      limited_by = "available memory";
    }
    if (next <= fits) break;
    size = next;
  }
  std::printf(
      "{\"bench\": \"tokenring\", \"impl\": \"csp\", \"max_processes\": %ld, "
      "\"budget_bytes\": %zu, \"bytes_per_process\": %.0f, \"method\": \"measured\", "
      "\"limited_by\": \"%s\"}\n",
      fits, budget, per_process, limited_by);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  bench::Flags flags(argc, argv,
                     {"processes", "thread-processes", "hops", "max-processes", "budget", "footprint"});
  if (flags.has("footprint")) return print_footprint(flags.number("footprint", 0));
  if (flags.has("max-processes")) return max_processes(parse_size(flags.text("budget", "8GiB")));

  // Each repetition builds its ring anew (costly at a million), so laps are fixed, not tuned.
  const long hops = flags.number("hops", 2'000'000);
  const auto ring_of = [](benchmark::internal::Benchmark* b, long size, long hops) {
    b->Arg(size)->Iterations(std::max(2L, hops / size));
  };
  ring_of(bench::add("tokenring/csp", tokenring<bench::CspNet>),
          flags.number("processes", 100'000), hops);
  // Thread hops cost tens of microseconds, and OS threads are few (pid_max): a small ring.
  ring_of(bench::add("tokenring/thread", tokenring<baseline::ThreadNet>),
          flags.number("thread-processes", 1000), hops / 100);
  return bench::run_registered();
}
