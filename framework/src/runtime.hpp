// The process-wide runtime: a CAF actor_system whose workers host the executors, the stack
// pool, the timer thread, and the processes started with Spawn.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "csp/configuration.hpp"
#include "csp/detail/process_base.hpp"
#include "executor.hpp"
#include "stack_pool.hpp"
#include "timer.hpp"

namespace caf {
class actor_system;
class actor_system_config;
}  // namespace caf

namespace csp::detail {

class Runtime {
 public:
  explicit Runtime(const Configuration& config);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  caf::actor_system& system() noexcept { return *system_; }
  Timer& timer() noexcept { return *timer_; }

  /// Starts `procs` on one executor: the caller's when it is a process, else the next in turn.
  void start(ProcessBase* const* procs, std::size_t n);
  void spawned(std::shared_ptr<ProcessBase> p);
  /// Tells every thread waiting on processes that nothing can wake them.
  void report_deadlock();
  /// Adds the processes it hosts that have not ended, and the spawned ones not yet reaped.
  void collect(std::vector<std::shared_ptr<ProcessBase>>& out);
  /// Waits until every spawned process has ended.
  void join_spawned();
  /// Stops every executor, unwinds processes that never ended, ends thread processes, and
  /// (unless exit() is under way) tears down the actor system.
  void stop(bool destroy_system = true) noexcept;

 private:
  Configuration config_;
  std::unique_ptr<caf::actor_system_config> cfg_;
  std::unique_ptr<caf::actor_system> system_;
  StackPool stacks_;
  std::unique_ptr<Timer> timer_;
  Workers workers_;
  std::vector<std::unique_ptr<Executor>> executors_;
  std::atomic<std::size_t> next_{0};
  std::mutex spawned_mutex_;
  std::vector<std::shared_ptr<ProcessBase>> spawned_;
  // Thread processes still running; shared with their threads, which may outlive a stop().
  struct Threads {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<ProcessBase*> live;
  };
  std::shared_ptr<Threads> threads_ = std::make_shared<Threads>();
};

/// The default runtime, started on first use.
Runtime& runtime();
/// Calls `f` with the current runtime (nullptr if none), which cannot stop meanwhile.
void with_runtime(const std::function<void(Runtime*)>& f);
/// Has csp::shutdown() and the stop at exit call `hook` first, while processes and owners
/// still run (what the hook waits for, a session's pending operation, may need one of them).
void at_stop(void (*hook)() noexcept);

}  // namespace csp::detail
