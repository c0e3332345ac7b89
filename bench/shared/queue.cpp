// queue: one producer puts items on an unbounded shared Queue, one consumer gets them.
// Figure: items_per_s, for csp::Queue and for a std::deque under a mutex and condition variable.

#include <csp/csp.hpp>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "../bench_support.hpp"

namespace {

constexpr int items = 50000;

void queue_csp(benchmark::State& state) {
  csp::Queue<long> q;
  auto producer = csp::process([q] {
    for (long i = 0; i < items; ++i) q.put(i);
  });
  auto consumer = csp::process([q] {
    long sum = 0;
    for (int i = 0; i < items; ++i) sum += q.get();
    benchmark::DoNotOptimize(sum);
  });
  for (auto _ : state) csp::Parallel(producer(), consumer());
  bench::report(state, "items_per_s", items);
}

void queue_thread(benchmark::State& state) {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<long> q;
  for (auto _ : state) {
    std::thread producer([&] {
      for (long i = 0; i < items; ++i) {
        std::lock_guard lock(mutex);
        q.push_back(i);
        ready.notify_one();
      }
    });
    std::thread consumer([&] {
      long sum = 0;
      for (int i = 0; i < items; ++i) {
        std::unique_lock lock(mutex);
        ready.wait(lock, [&] { return !q.empty(); });
        sum += q.front();
        q.pop_front();
      }
      benchmark::DoNotOptimize(sum);
    });
    producer.join();
    consumer.join();
  }
  bench::report(state, "items_per_s", items);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  bench::Flags flags(argc, argv, {});
  bench::add("queue/csp", queue_csp);
  bench::add("queue/thread", queue_thread);
  return bench::run_registered();
}
