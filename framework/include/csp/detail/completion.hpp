// A one-shot event any context can wait on, optionally until a deadline: the end of a process,
// the reply to a request sent to an owner actor.
#pragma once

#include <mutex>
#include <optional>

#include "csp/detail/spin_lock.hpp"
#include "csp/detail/timer.hpp"

namespace csp::detail {

class Completion {
 public:
  /// `external`: completed by something deadlock detection cannot see (an actor, another OS
  /// process), so a wait for it never counts as blocked.
  explicit Completion(bool external = true) noexcept : external_(external) {}

  /// Marks complete and wakes every waiter; later calls do nothing.
  void complete();
  bool completed() const;
  /// Blocks the calling process or thread until complete (or `deadline`); true if complete.
  bool wait(std::optional<Clock::time_point> deadline = std::nullopt);

 private:
  /// One waiting thread or process; it lives on the waiter's own stack.
  struct Node {
    Waiter* waiter;
    Node* next;
  };
  void unlink(Node& node) noexcept;  // with mutex_ held

  Node* waiters_ = nullptr;  // newest first
  mutable SpinLock mutex_;
  bool external_;
  bool done_ = false;
};

}  // namespace csp::detail
