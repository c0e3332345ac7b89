// manager_dict: two processes each run d.update(key, fn) many times on a Manager dict of 100
// keys. Figure: ops_per_s, for csp and for two std::threads on a std::map under a std::mutex.

#include <csp/csp.hpp>

#include <map>
#include <mutex>
#include <thread>

#include "../bench_support.hpp"

namespace {

constexpr int per_process = 20000;
constexpr int keys = 100;

void manager_dict_csp(benchmark::State& state) {
  csp::Manager manager;
  auto d = manager.dict<int, long>();
  auto add = csp::process([d](int offset) {
    for (int i = 0; i < per_process; ++i) d.update((i + offset) % keys, [](long& x) { ++x; });
  });
  for (auto _ : state) csp::Parallel(add(0), add(keys / 2));
  bench::report(state, "ops_per_s", 2.0 * per_process);
}

void manager_dict_thread(benchmark::State& state) {
  std::mutex mutex;
  std::map<int, long> d;
  auto add = [&](int offset) {
    for (int i = 0; i < per_process; ++i) {
      std::lock_guard lock(mutex);
      ++d[(i + offset) % keys];
    }
  };
  for (auto _ : state) {
    std::thread a(add, 0), b(add, keys / 2);
    a.join();
    b.join();
  }
  bench::report(state, "ops_per_s", 2.0 * per_process);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  bench::Flags flags(argc, argv, {});
  bench::add("manager_dict/csp", manager_dict_csp);
  bench::add("manager_dict/thread", manager_dict_thread);
  return bench::run_registered();
}
