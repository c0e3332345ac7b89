// csp::Condition (Python's multiprocessing.Condition): processes wait, with a lock released,
// until another notifies them. The waiters live in an owner actor; the lock is a Lock or RLock.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "csp/shared/detail/lockable.hpp"
#include "csp/shared/lock.hpp"

namespace csp {

namespace detail {
class ConditionState;
}

class Condition : public detail::Handle<detail::ConditionState>,
                  public detail::Lockable<Condition> {
 public:
  /// A condition with its own RLock.
  Condition();
  explicit Condition(Lock lock);
  explicit Condition(RLock lock);
  /// A condition (with an RLock) run by `owner` (a Manager's).
  explicit Condition(std::shared_ptr<detail::Owner> owner);

  using detail::Lockable<Condition>::acquire;
  bool acquire(bool blocking = true) const { return lock_.acquire(blocking); }
  bool acquire_until(detail::Clock::time_point deadline) const {
    return lock_.acquire_until(deadline);
  }
  void release() const { lock_.release(); }

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
  Condition(std::shared_ptr<detail::Owner> owner, detail::LockHandle lock);
  bool wait_impl(std::optional<detail::Clock::time_point> deadline) const;
  detail::LockHandle lock_;
};

}  // namespace csp
