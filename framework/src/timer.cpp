// The timer thread. A fired timer claims its waiter under the timer's lock; cancel() takes the
// same lock, so once it returns the waiter's stack may go away.

#include "timer.hpp"

#include "csp/detail/activity.hpp"
#include "runtime.hpp"

namespace csp::detail {

Timer::Timer() : thread_([this] { loop(); }) {}

Timer::~Timer() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    activity_drop(queue_.size());  // never fired, never cancelled
  }
  cv_.notify_one();
  thread_.join();
}

std::uint64_t Timer::arm(Waiter& w, int index, Outcome outcome, Clock::time_point deadline) {
  activity_add();  // a pending timer may still wake someone
  std::lock_guard lock(mutex_);
  std::uint64_t id = ++next_id_;
  auto it = queue_.emplace(deadline, std::pair{id, Entry{&w, index, outcome}});
  by_id_.emplace(id, it);
  if (it == queue_.begin()) cv_.notify_one();
  return id;
}

void Timer::cancel(std::uint64_t id) noexcept {
  {
    std::lock_guard lock(mutex_);
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return;
    queue_.erase(it->second);
    by_id_.erase(it);
  }
  activity_remove();
}

void Timer::loop() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    if (queue_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto first = queue_.begin();
    if (Clock::time_point deadline = first->first; deadline > Clock::now()) {
      cv_.wait_until(lock, deadline);  // a copy: cancel() may erase the entry meanwhile
      continue;
    }
    auto [id, e] = first->second;
    queue_.erase(first);
    by_id_.erase(id);
    if (e.waiter->claim(e.index, e.outcome)) e.waiter->context().unpark();
    lock.unlock();
    activity_remove();
    lock.lock();
  }
}

std::uint64_t arm_timer(Waiter& w, int index, Outcome outcome, Clock::time_point deadline) {
  return runtime().timer().arm(w, index, outcome, deadline);
}

void cancel_timer(std::uint64_t id) noexcept { runtime().timer().cancel(id); }

}  // namespace csp::detail
