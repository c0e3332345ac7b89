// csp::Condition (Python's multiprocessing.Condition): processes wait, with a lock released,
// until another notifies them. The waiters live in an owner actor; the lock is a Lock or RLock.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "csp/shared/detail/lockable.hpp"
#include "csp/shared/detail/wait_queue.hpp"
#include "csp/shared/lock.hpp"

namespace csp {

namespace detail {

/// The owner queues waiters and answers them on notify. A waiter is queued before it releases
/// the lock, and the owner handles requests in arrival order, so a notify sent by a process
/// that took the lock after that release always finds it.
class ConditionState {
 public:
  ConditionState(std::string name, LockHandle lock) : name_(std::move(name)), lock_(std::move(lock)) {}

  struct Notify {
    using result = void;
    unsigned n;
  };
  struct Wait {
    using result = bool;
    /// A waiter that gives up once notified (a terminated process) passes the notify on.
    Notify undo(bool&) const { return {1}; }
  };
  using remote_ops = std::tuple<Wait, Notify>;
  static constexpr bool holds_messages = true;
  static const std::string& type_name() {
    static const std::string name = "Condition";
    return name;
  }
  /// What a handle in another OS process is made with, after its owner: the lock, lent with
  /// the condition.
  std::tuple<LockHandle> local_part() const { return {lock_}; }

  void handle(Wait&, Reply<bool>& reply) { waiting_.push(reply); }
  void handle(Notify& op) {
    for (unsigned woken = 0; woken < op.n && waiting_.front();)
      if (waiting_.take().answer(true)) ++woken;
  }

  const std::string& name() const noexcept { return name_; }
  /// Never changes after construction: read by the handles, not the owner.
  const LockHandle& lock() const noexcept { return lock_; }

 private:
  std::string name_;
  LockHandle lock_;
  WaitQueue<Reply<bool>> waiting_;
};

}  // namespace detail

/// A condition passed to a multiprocess child stays here, and its lock with it: the child's
/// waits, notifies and acquires are requests to them, its processes holders of their own.
class Condition : public detail::Handle<detail::ConditionState>,
                  public detail::Lockable<Condition> {
 public:
  /// A condition with its own RLock.
  Condition();
  explicit Condition(Lock lock);
  explicit Condition(RLock lock);
  /// A condition (with an RLock) run by `origin`'s owner (a Manager's).
  explicit Condition(detail::Origin origin);
  /// A condition with `lock` (a Lock or an RLock) run by `origin`'s owner.
  Condition(detail::Origin origin, detail::LockHandle lock);

  using detail::Lockable<Condition>::acquire;
  bool acquire(bool blocking = true) const { return state().lock().acquire(blocking); }
  bool acquire_until(detail::Clock::time_point deadline) const {
    return state().lock().acquire_until(deadline);
  }
  void release() const { state().lock().release(); }

  /// Releases the lock (which the caller must hold), parks until notified, takes the lock back.
  void wait() const;
  /// The same, giving up after `timeout`; whether it was notified. Takes the lock back anyway.
  template <class Rep, class Period>
  bool wait(std::chrono::duration<Rep, Period> timeout) const {
    return wait_until(detail::deadline_after(timeout));
  }
  bool wait_until(detail::Clock::time_point deadline) const;
  /// Waits until `pred()` holds (checked with the lock held).
  template <class Pred>
  void wait_for(Pred pred) const {
    while (!pred()) wait();
  }
  /// Waits until `pred()` holds or `timeout` passes; the last value of `pred()`.
  template <class Pred, class Rep, class Period>
  bool wait_for(Pred pred, std::chrono::duration<Rep, Period> timeout) const {
    auto deadline = detail::deadline_after(timeout);
    bool ok = pred();
    while (!ok && wait_until(deadline)) ok = pred();
    return ok || pred();
  }
  /// Wakes up to `n` waiting processes (the caller should hold the lock).
  void notify(unsigned n = 1) const;
  void notify_all() const;
  const std::string& name() const noexcept;

 private:
  bool wait_impl(std::optional<detail::Clock::time_point> deadline) const;
};

}  // namespace csp
