// Pool: each worker is a csp process taking tasks from one shared Queue until it takes the
// empty task that close() queues for every worker.

#include "csp/shared/pool.hpp"

#include <thread>

namespace csp {

Pool::Pool(std::size_t processes) {
  if (processes == 0) processes = std::max(1u, std::thread::hardware_concurrency());
  auto worker = csp::process("PoolWorker", [](Queue<std::function<void()>> tasks) {
    while (auto task = tasks.get()) task();
  });
  // Started one at a time, so that from main they spread over the runtime's workers.
  for (std::size_t i = 0; i < processes; ++i) {
    workers_.push_back(worker(tasks_));
    workers_.back().start();
  }
}

Pool::~Pool() {
  if (joined_) return;
  close();
  join();
}

void Pool::submit(std::function<void()> task) {
  if (closed_.load()) throw Error("task submitted to a closed Pool");
  tasks_.put(std::move(task));
}

void Pool::close() {
  if (closed_.exchange(true)) return;
  for (std::size_t i = 0; i < workers_.size(); ++i) tasks_.put({});
}

void Pool::join() {
  if (!closed_.load()) throw Error("Pool::join() before close()");
  for (auto& w : workers_) w.join();
  joined_ = true;
}

}  // namespace csp
