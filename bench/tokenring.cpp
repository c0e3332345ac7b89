// tokenring: a token goes round a ring of processes, each passing it on plus one, over one
// unbuffered channel per process. Figures: ns_per_hop, bytes_per_process (growth of resident
// memory from before the ring is built to after its first lap, over its size) and processes.
// With --max-processes --budget=SIZE it instead finds how many processes fit in SIZE bytes.

#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
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

/// Resident memory growth of a ring of `size` csp processes after one lap, over `base`.
std::size_t footprint(long size, std::size_t base) {
  std::size_t grown = 0;
  ring<bench::CspNet>(size, [&](auto in, auto out) {
    lap(in, out);
    grown = bench::resident_bytes() - base;
    out.poison();
  });
  return grown;
}

std::size_t memory_available() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::size_t kib = 0;
  while (meminfo >> key >> kib)
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

/// Grows rings (doubling, the last step aimed at the limit that the last measured
/// bytes_per_process predicts) until one no longer fits in `budget`; reports the largest that
/// ran a lap within it. Stops early, saying so, before exceeding the memory this machine has
/// available.
int max_processes(std::size_t budget) {
  footprint(2, bench::resident_bytes());  // starts the runtime before the baseline is taken
  const std::size_t base = bench::resident_bytes();
  long fits = 0;
  double per_process = 0;
  const char* limited_by = "budget";
  for (long size = 100'000;;) {
    if (fits && per_process * (size - fits) + (1ul << 30) > memory_available()) {
      limited_by = "available memory";
      break;
    }
    const std::size_t grown = footprint(size, base);
    std::fprintf(stderr, "tokenring csp: %ld processes: %zu bytes resident growth\n", size, grown);
    if (grown > budget) break;
    fits = size;
    per_process = double(grown) / size;
    const auto predicted = long(double(budget) / per_process);
    if (predicted < size + size / 50) break;  // within 2% of the limit
    size = std::min(2 * size, predicted - predicted / 100);
  }
  std::printf(
      "{\"bench\":\"tokenring\",\"impl\":\"csp\",\"max_processes\":%ld,\"budget_bytes\":%zu,"
      "\"bytes_per_process\":%.0f,\"method\":\"measured\",\"limited_by\":\"%s\"}\n",
      fits, budget, per_process, limited_by);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  bench::Flags flags(argc, argv,
                     {"processes", "thread-processes", "hops", "max-processes", "budget"});
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
