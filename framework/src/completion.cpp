// Completion: waiters queue under a lock; complete() claims and wakes them all, a deadline
// claims one through the timer.

#include "csp/detail/completion.hpp"

#include "csp/detail/activity.hpp"

namespace csp::detail {

void Completion::complete() {
  std::vector<Waiter*> waiters;
  {
    std::lock_guard lock(mutex_);
    if (done_) return;
    done_ = true;
    waiters.swap(waiters_);
    // Claim under the lock: a waiter that timed out removes itself under it too.
    std::erase_if(waiters, [](Waiter* w) { return !w->claim(0, Outcome::done); });
  }
  for (Waiter* w : waiters) w->context().unpark();
}

bool Completion::completed() const {
  std::lock_guard lock(mutex_);
  return done_;
}

bool Completion::wait(std::optional<Clock::time_point> deadline) {
  Waiter w(current_context(), [](const void*) { return std::string("the end of a process"); });
  if (!external_) w.ends_on_deadlock();
  {
    std::lock_guard lock(mutex_);
    if (done_) return true;
    waiters_.push_back(&w);
  }
  std::optional<Activity> external;
  if (external_) external.emplace();
  std::uint64_t timer = deadline ? arm_timer(w, 0, Outcome::timeout, *deadline) : 0;
  try {
    w.context().park(w);
  } catch (...) {
    if (timer) cancel_timer(timer);
    std::lock_guard lock(mutex_);
    std::erase(waiters_, &w);
    throw;
  }
  if (timer) cancel_timer(timer);
  if (w.outcome() == Outcome::done) return true;
  std::lock_guard lock(mutex_);
  std::erase(waiters_, &w);
  if (w.outcome() == Outcome::timeout) return done_;
  raise(w.outcome(), "join");
}

}  // namespace csp::detail
