// Semaphore and BoundedSemaphore (Python's multiprocessing ones), owned by an owner actor that
// keeps the count and the processes waiting for it. Both are Lockable and TimedLockable.
#pragma once

#include <memory>
#include <string>

#include "csp/shared/detail/lockable.hpp"
#include "csp/shared/detail/owner.hpp"

namespace csp {

namespace detail {
class SemaphoreState;

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
  SemaphoreHandle(std::shared_ptr<Owner> owner, const char* kind, unsigned value, bool bounded);
};
}  // namespace detail

class Semaphore : public detail::SemaphoreHandle {
 public:
  explicit Semaphore(unsigned value = 1);
  /// A semaphore run by `owner` (a Manager's).
  Semaphore(std::shared_ptr<detail::Owner> owner, unsigned value);
};

/// A Semaphore whose release() is a csp::Error when it would exceed the starting value.
class BoundedSemaphore : public detail::SemaphoreHandle {
 public:
  explicit BoundedSemaphore(unsigned value = 1);
  BoundedSemaphore(std::shared_ptr<detail::Owner> owner, unsigned value);
};

}  // namespace csp
