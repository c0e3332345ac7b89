// value_update: two processes each add 1 to a shared Value<long> many times with atomic
// update(). Figure: ops_per_s, for csp and for two std::threads incrementing under a std::mutex.

#include <csp/csp.hpp>

#include <mutex>
#include <thread>

#include "../bench_support.hpp"

namespace {

constexpr int per_process = 20000;

void value_update_csp(benchmark::State& state) {
  csp::Value<long> v(0);
  auto add = csp::process([v] {
    for (int i = 0; i < per_process; ++i) v.update([](long& x) { ++x; });
  });
  for (auto _ : state) csp::Parallel(add(), add());
  bench::report(state, "ops_per_s", 2.0 * per_process);
}

void value_update_thread(benchmark::State& state) {
  std::mutex mutex;
  long v = 0;
  auto add = [&] {
    for (int i = 0; i < per_process; ++i) {
      std::lock_guard lock(mutex);
      ++v;
    }
  };
  for (auto _ : state) {
    std::thread a(add), b(add);
    a.join();
    b.join();
  }
  benchmark::DoNotOptimize(v);
  bench::report(state, "ops_per_s", 2.0 * per_process);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  bench::Flags flags(argc, argv, {});
  bench::add("value_update/csp", value_update_csp);
  bench::add("value_update/thread", value_update_thread);
  return bench::run_registered();
}
