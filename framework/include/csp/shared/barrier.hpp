// csp::Barrier (Python's multiprocessing.Barrier): a fixed number of processes wait for one
// another; the owner actor releases them together once the last one arrives.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "csp/shared/detail/owner.hpp"

namespace csp {

/// The barrier was aborted or reset, or a waiter timed out, while a process waited on it
/// (Python's BrokenBarrierError).
class BrokenBarrierError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

/// The owner collects waiters and answers them all, with their arrival index, once `parties`
/// have arrived; abort and reset answer them with BrokenBarrierError.
class BarrierState {
 public:
  BarrierState(std::string name, std::size_t parties) : name_(std::move(name)), parties_(parties) {}

  struct Wait {
    using result = std::size_t;
  };
  struct Abort {
    using result = void;
  };
  struct Reset {
    using result = void;
  };
  struct Waiting {
    using result = std::size_t;
  };
  struct Broken {
    using result = bool;
  };
  using remote_ops = std::tuple<Wait, Abort, Reset, Waiting, Broken>;
  static constexpr bool holds_messages = true;
  static const std::string& type_name() {
    static const std::string name = "Barrier";
    return name;
  }
  /// What a handle in another OS process is made with, after its owner.
  std::tuple<std::size_t> local_part() const noexcept { return {parties_}; }

  void handle(Wait&, Reply<std::size_t>& reply) {
    if (broken_) throw broken_error();
    waiting_.push_back(reply);
    if (waiting_.size() < parties_) return;
    for (std::size_t i = 0; i < waiting_.size(); ++i) waiting_[i].answer(i);
    waiting_.clear();
  }
  void handle(Abort&) {
    broken_ = true;
    fail_waiting();
  }
  void handle(Reset&) {
    fail_waiting();
    broken_ = false;
  }
  std::size_t handle(Waiting&) const {
    return static_cast<std::size_t>(std::ranges::count_if(waiting_, &Reply<std::size_t>::pending));
  }
  bool handle(Broken&) const noexcept { return broken_; }

  const std::string& name() const noexcept { return name_; }
  std::size_t parties() const noexcept { return parties_; }

 private:
  BrokenBarrierError broken_error() const { return BrokenBarrierError("'" + name_ + "' is broken"); }
  void fail_waiting() {
    for (Reply<std::size_t>& w : waiting_) w.fail(std::make_exception_ptr(broken_error()));
    waiting_.clear();
  }

  std::string name_;
  std::size_t parties_;
  bool broken_ = false;
  std::vector<Reply<std::size_t>> waiting_;  // this round's, in arrival order
};

}  // namespace detail

class Barrier : public detail::Handle<detail::BarrierState> {
 public:
  explicit Barrier(std::size_t parties);
  /// A barrier run by `origin`'s owner (a Manager's).
  Barrier(detail::Origin origin, std::size_t parties);

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
  std::size_t parties() const noexcept { return state().parties(); }
  std::size_t n_waiting() const;
  bool broken() const;
  const std::string& name() const noexcept;
};

}  // namespace csp
