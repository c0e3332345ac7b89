// The callers a shared object's owner keeps waiting (for a lock, an item, an event), first come
// first served; those that gave up (a timeout) are skipped and, from time to time, dropped.
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <utility>

namespace csp::detail {

/// `Entry` has `bool pending() const`: whether its caller still waits.
template <class Entry>
class WaitQueue {
 public:
  void push(Entry e) {
    // Callers that timed out leave their entries behind; sweeping when the queue has doubled
    // keeps it within twice the live callers at constant amortized cost.
    if (entries_.size() >= sweep_at_) {
      std::erase_if(entries_, [](const Entry& x) { return !x.pending(); });
      sweep_at_ = std::max<std::size_t>(16, 2 * entries_.size());
    }
    entries_.push_back(std::move(e));
  }

  /// The first caller still waiting, or nullptr; the ones before it are dropped.
  Entry* front() {
    while (!entries_.empty() && !entries_.front().pending()) entries_.pop_front();
    return entries_.empty() ? nullptr : &entries_.front();
  }
  Entry take() {
    Entry e = std::move(entries_.front());
    entries_.pop_front();
    return e;
  }
  /// Removes and returns every entry (to answer them all).
  std::deque<Entry> drain() { return std::exchange(entries_, {}); }

 private:
  std::deque<Entry> entries_;
  std::size_t sweep_at_ = 16;
};

}  // namespace csp::detail
