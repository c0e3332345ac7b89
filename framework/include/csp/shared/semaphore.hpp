// Semaphore and BoundedSemaphore (Python's multiprocessing ones), owned by an owner actor that
// keeps the count and the processes waiting for it. Both are Lockable and TimedLockable.
#pragma once

#include <memory>
#include <string>
#include <tuple>
#include <utility>

#include "csp/errors.hpp"
#include "csp/shared/detail/lockable.hpp"
#include "csp/shared/detail/owner.hpp"
#include "csp/shared/detail/wait_queue.hpp"

namespace csp {

namespace detail {

/// The owner hands units to waiters in arrival order.
class SemaphoreState {
 public:
  SemaphoreState(std::string name, unsigned value, bool bounded)
      : name_(std::move(name)), value_(value), bound_(bounded ? value : 0), bounded_(bounded) {}

  struct Release {
    using result = void;
    unsigned n;
  };
  struct Acquire {
    using result = bool;
    bool blocking;
    /// A caller interrupted after being granted a unit gives it back.
    Release undo(bool& granted) const { return {granted ? 1u : 0u}; }
  };
  struct GetValue {
    using result = unsigned;
  };
  using remote_ops = std::tuple<Acquire, Release, GetValue>;
  static constexpr bool holds_messages = true;
  static const std::string& type_name() {
    static const std::string name = "Semaphore";
    return name;
  }

  void handle(Acquire& op, Reply<bool>& reply) {
    if (value_ > 0 && !waiting_.front()) {
      if (reply.answer(true)) --value_;
    } else if (!op.blocking) {
      reply.answer(false);
    } else {
      waiting_.push(reply);
    }
  }
  void handle(Release& op) {
    if (bounded_ && value_ + op.n > bound_)
      throw Error("'" + name_ + "' released more times than acquired");
    value_ += op.n;
    for (Reply<bool>* w; value_ > 0 && (w = waiting_.front());)
      if (waiting_.take().answer(true)) --value_;
  }
  unsigned handle(GetValue&) const noexcept { return value_; }

  const std::string& name() const noexcept { return name_; }

 private:
  std::string name_;
  unsigned value_;
  unsigned bound_;
  bool bounded_;
  WaitQueue<Reply<bool>> waiting_;
};

class SemaphoreHandle : public Handle<SemaphoreState>, public Lockable<SemaphoreHandle> {
 public:
  using Lockable<SemaphoreHandle>::acquire;
  /// Takes one unit, parking while the count is 0; with `blocking` false, only if one is free.
  bool acquire(bool blocking = true) const;
  bool acquire_until(Clock::time_point deadline) const;
  /// Gives `n` units back (any process may); a BoundedSemaphore refuses to go above its start.
  void release(unsigned n = 1) const;
  /// The current count.
  unsigned get_value() const;
  const std::string& name() const noexcept;

 protected:
  SemaphoreHandle(Origin origin, const char* kind, unsigned value, bool bounded);
};
}  // namespace detail

class Semaphore : public detail::SemaphoreHandle {
 public:
  explicit Semaphore(unsigned value = 1);
  /// A semaphore run by `origin`'s owner (a Manager's).
  explicit Semaphore(detail::Origin origin, unsigned value = 1);
};

/// A Semaphore whose release() is a csp::Error when it would exceed the starting value.
class BoundedSemaphore : public detail::SemaphoreHandle {
 public:
  explicit BoundedSemaphore(unsigned value = 1);
  explicit BoundedSemaphore(detail::Origin origin, unsigned value = 1);
  /// "BoundedSemaphore": a Semaphore's state, served under a name of its own.
  static const std::string& served_type();
};

}  // namespace csp
