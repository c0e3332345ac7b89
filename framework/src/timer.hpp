// One thread that fires deadlines in order: timeout guards, timed joins and timed waits.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "csp/detail/timer.hpp"

namespace csp::detail {

class Timer {
 public:
  Timer();
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  std::uint64_t arm(Waiter& w, int index, Outcome outcome, Clock::time_point deadline);
  void cancel(std::uint64_t id) noexcept;

 private:
  struct Entry {
    Waiter* waiter;
    int index;
    Outcome outcome;
  };
  using Queue = std::multimap<Clock::time_point, std::pair<std::uint64_t, Entry>>;

  void loop();

  std::mutex mutex_;  // held while a timer fires, so cancel() is synchronous
  std::condition_variable cv_;
  Queue queue_;
  std::unordered_map<std::uint64_t, Queue::iterator> by_id_;
  std::uint64_t next_id_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace csp::detail
