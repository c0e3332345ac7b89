// An executor hosts process fibers on one CAF actor: a local wake-up is a push onto its run
// queue and a fiber switch; only a wake-up from another thread sends the actor a message.
#pragma once

#include <boost/context/fiber.hpp>
#include <caf/actor.hpp>
#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "csp/detail/process_base.hpp"
#include "fiber_switch.hpp"
#include "stack_pool.hpp"

namespace csp::detail {

class Executor;

/// A process body on its own stack; the Context that parks and wakes it. The Fiber object
/// itself lives at the top of that stack, whose first page every process touches anyway: a
/// ring of a million processes saves a heap block each. So once the body has ended and the
/// stack is back in the pool, the object is gone; resume() says when.
class Fiber final : public Context {
 public:
  /// Makes a fiber for `process` on a stack from `stacks`; it starts at its first resume().
  static Fiber* create(Executor& home, StackPool& stacks, std::shared_ptr<ProcessBase> process);

  const std::string& name() const noexcept { return process_->name(); }
  /// Runs the fiber until it parks or ends (on its executor's thread). True once it has ended,
  /// and from then on the object no longer exists.
  bool resume();
  /// Ends a fiber that never ended (at shutdown, with its executor stopped), unwinding its
  /// stack if it had started; the object no longer exists afterwards.
  void unwind() noexcept;

 private:
  Fiber(Executor& home, StackPool& stacks, boost::context::stack_context stack,
        std::shared_ptr<ProcessBase> process);
  void suspend() override;
  void wake() override;

  Executor* home_;
  ProcessBase* process_;
  std::shared_ptr<ProcessBase> owner_;  // until the body starts, then its frame owns it
  boost::context::fiber fiber_;  // suspended fiber, or empty while it runs
  boost::context::fiber back_;   // while it runs: the executor's loop
  [[no_unique_address]] FiberSwitch switch_;
  bool linked_ = false;    // in its executor's list of live fibers
  Fiber* prev_ = nullptr;
  Fiber* next_ = nullptr;
  friend class Executor;
};

/// The CAF workers that host a runtime's executors: how many there are, and how many are inside
/// an executor's run() right now (running fibers, or spinning for a wake-up).
struct Workers {
  explicit Workers(std::size_t n) noexcept : count(n) {}
  const std::size_t count;
  std::atomic<std::size_t> in_executors{0};
};

class Executor {
 public:
  explicit Executor(Workers& workers) noexcept : workers_(&workers) {}
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  void attach(caf::actor actor) { actor_ = std::move(actor); }
  const caf::actor& actor() const noexcept { return actor_; }

  /// Takes new fibers and makes them runnable, with at most one message to the hosting actor;
  /// callable from any thread.
  void adopt(const std::vector<Fiber*>& fibers);
  /// Forgets a fiber whose body is ending (called on the fiber, before its stack goes).
  void retire(Fiber* f) noexcept;
  /// Makes `f` runnable; callable from any thread.
  void schedule(Fiber* f);
  /// Wakes the hosting actor if it sleeps.
  void notify();
  /// Runs fibers until none is runnable or stop_soon() was called (by the hosting actor). With
  /// fibers parked and an idle spin set (idle_spin.hpp), it polls for a wake-up first, while
  /// another worker is free for the other actors (owners of shared objects, other executors).
  void run();
  /// Makes run() return before its next fiber, so that the hosting actor sees its exit
  /// message even while processes keep each other busy; callable from any thread.
  void stop_soon() noexcept { stopping_.store(true, std::memory_order_relaxed); }
  /// The executor running on this thread, if any.
  static Executor* current() noexcept;
  /// Runs `task` on this executor's thread soon: when no fiber is runnable, or after a few
  /// fiber switches at the latest (for work that batches what several of them did). Only
  /// from this executor's thread.
  void defer(std::function<void()> task) { deferred_.push_back(std::move(task)); }
  /// Destroys the fibers that have not ended, unwinding their stacks. Only once the hosting
  /// actor has stopped.
  void abandon() noexcept;
  /// Adds the processes of its fibers that have not ended.
  void collect(std::vector<std::shared_ptr<ProcessBase>>& out);

 private:
  caf::actor actor_;
  Workers* workers_;
  void run_deferred();
  /// Whether run() should stop spinning: a fiber to run, none that could be woken, a stop, or
  /// no worker left free.
  bool spin_over();

  std::deque<Fiber*> ready_;  // touched only by run()'s thread
  std::vector<std::function<void()>> deferred_;  // so is this
  std::mutex inbox_mutex_;
  std::vector<Fiber*> inbox_;  // wake-ups from other threads
  Fiber* live_ = nullptr;  // fibers not ended, linked through Fiber::next_; under inbox_mutex_
  std::atomic<bool> idle_{true};
  std::atomic<bool> stopping_{false};
};

}  // namespace csp::detail
