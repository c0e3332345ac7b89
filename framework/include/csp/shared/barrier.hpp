// csp::Barrier (Python's multiprocessing.Barrier): a fixed number of processes wait for one
// another; the owner actor releases them together once the last one arrives.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>

#include "csp/shared/detail/owner.hpp"

namespace csp {

/// The barrier was aborted or reset, or a waiter timed out, while a process waited on it
/// (Python's BrokenBarrierError).
class BrokenBarrierError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
class BarrierState;
}

class Barrier : public detail::Handle<detail::BarrierState> {
 public:
  explicit Barrier(std::size_t parties);
  /// A barrier run by `owner` (a Manager's).
  Barrier(std::shared_ptr<detail::Owner> owner, std::size_t parties);

  /// Parks until `parties()` processes wait; returns this one's arrival index, 0 to parties-1.
  /// Throws BrokenBarrierError if the barrier is or becomes broken.
  std::size_t wait() const;
  /// The same; on timeout the barrier breaks (for every waiter) and BrokenBarrierError is thrown.
  template <class Rep, class Period>
  std::size_t wait(std::chrono::duration<Rep, Period> timeout) const {
    return wait_until(detail::deadline_after(timeout));
  }
  std::size_t wait_until(detail::Clock::time_point deadline) const;
  /// Breaks the barrier: current and later waiters get BrokenBarrierError until reset().
  void abort() const;
  /// Back to the empty, unbroken state; current waiters get BrokenBarrierError.
  void reset() const;
  std::size_t parties() const noexcept { return parties_; }
  std::size_t n_waiting() const;
  bool broken() const;
  const std::string& name() const noexcept;

 private:
  std::size_t parties_;
};

}  // namespace csp
