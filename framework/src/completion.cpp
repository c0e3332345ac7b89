// Completion: waiters queue under a lock; complete() claims and wakes them all, a deadline
// claims one through the timer.

#include "csp/detail/completion.hpp"

#include <utility>

#include "csp/detail/activity.hpp"

namespace csp::detail {

void Completion::complete() {
  Node* claimed = nullptr;  // oldest first
  {
    std::lock_guard lock(mutex_);
    if (done_) return;
    done_ = true;
    // Claim under the lock: a waiter that timed out removes itself under it too.
    for (Node* n = std::exchange(waiters_, nullptr); n;) {
      Node* next = n->next;
      if (n->waiter->claim(0, Outcome::done)) {
        n->next = claimed;
        claimed = n;
      }
      n = next;
    }
  }
  while (claimed) {
    Node* next = claimed->next;  // the node goes with its waiter's stack once woken
    claimed->waiter->context().unpark();
    claimed = next;
  }
}

void Completion::unlink(Node& node) noexcept {
  for (Node** p = &waiters_; *p; p = &(*p)->next) {
    if (*p == &node) {
      *p = node.next;
      return;
    }
  }
}

bool Completion::completed() const {
  std::lock_guard lock(mutex_);
  return done_;
}

bool Completion::wait(std::optional<Clock::time_point> deadline) {
  Waiter w(current_context(), [](const void*) { return std::string("the end of a process"); });
  if (!external_) w.ends_on_deadlock();
  Node node{&w, nullptr};
  {
    std::lock_guard lock(mutex_);
    if (done_) return true;
    node.next = std::exchange(waiters_, &node);
  }
  std::optional<Activity> external;
  if (external_) external.emplace();
  std::uint64_t timer = deadline ? arm_timer(w, 0, Outcome::timeout, *deadline) : 0;
  try {
    w.context().park(w);
  } catch (...) {
    if (timer) cancel_timer(timer);
    std::lock_guard lock(mutex_);
    unlink(node);
    throw;
  }
  if (timer) cancel_timer(timer);
  if (w.outcome() == Outcome::done) return true;
  std::lock_guard lock(mutex_);
  unlink(node);
  if (w.outcome() == Outcome::timeout) return done_;
  raise(w.outcome(), "join");
}

}  // namespace csp::detail
