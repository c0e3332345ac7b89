// Shared by the benchmark programs: registration as "<figure>/<impl>", the metric label that
// bench/gbench_lines.py turns into a JSON line, resident memory, and the programs' own flags.
#pragma once

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <map>
#include <string>

namespace bench {

/// Resident memory of this OS process, in bytes (/proc/self/statm).
inline std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

/// Says what one iteration was: `ops` operations, reported as `metric`, a time per operation
/// ("us_per_comm", "ns_per_msg") or a rate ("ops_per_s"). Every other counter set on the state
/// becomes a field of the figure's JSON line.
inline void report(benchmark::State& state, const char* metric, double ops) {
  state.SetLabel(metric);
  state.counters["ops"] = ops;
}

/// Registers `fn` as figure `name` ("commstime/csp"), timed by the wall clock: the iterations
/// run on a csp worker or a baseline thread, so the calling thread's CPU time means nothing.
template <class Fn>
benchmark::internal::Benchmark* add(const std::string& name, Fn fn) {
  return benchmark::RegisterBenchmark(name.c_str(), fn)
      ->UseRealTime()
      ->Unit(benchmark::kNanosecond);
}

/// A program's own `--name=value` (or bare `--name`) flags: those Google Benchmark left in argv.
class Flags {
 public:
  Flags(int argc, char** argv, std::initializer_list<const char*> known) {
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      std::size_t eq = arg.find('=');
      std::string key = arg.substr(0, eq);
      bool ok = key.size() > 2 && key.starts_with("--");
      if (ok) {
        key = key.substr(2);
        ok = false;
        for (const char* k : known) ok = ok || key == k;
      }
      if (!ok) {
        std::fprintf(stderr, "%s: unknown argument '%s'; besides --benchmark_* it takes:", argv[0],
                     arg.c_str());
        for (const char* k : known) std::fprintf(stderr, " --%s", k);
        std::fprintf(stderr, "\n");
        std::exit(2);
      }
      values_[key] = eq == std::string::npos ? std::string{} : arg.substr(eq + 1);
    }
  }

  bool has(const std::string& key) const { return values_.contains(key); }
  long number(const std::string& key, long otherwise) const {
    auto it = values_.find(key);
    return it == values_.end() ? otherwise : std::stol(it->second);
  }
  std::string text(const std::string& key, std::string otherwise) const {
    auto it = values_.find(key);
    return it == values_.end() ? otherwise : it->second;
  }

 private:
  std::map<std::string, std::string> values_;
};

/// Runs what was registered; Google Benchmark's flags must have been taken out of argv already.
inline int run_registered() {
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace bench
