// Detached threads counted until they end, so that a stopping runtime can give them a moment:
// the receiving threads of links, the listening sockets and sessions of csp::serve.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <utility>

namespace csp::detail {

class DetachedThreads {
 public:
  /// Runs `body` on a new detached thread; it counts until `body` and its captures are gone.
  template <class F>
  void start(F body) {
    {
      std::lock_guard lock(mutex_);
      ++running_;
    }
    std::thread([this, body = std::move(body)]() mutable {
      {
        F run = std::move(body);
        run();
      }
      std::lock_guard lock(mutex_);
      --running_;
      ended_.notify_all();
    }).detach();
  }

  /// Waits until every thread started has ended, or `grace` has passed.
  void await(std::chrono::nanoseconds grace) {
    std::unique_lock lock(mutex_);
    ended_.wait_for(lock, grace, [&] { return running_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable ended_;
  std::size_t running_ = 0;
};

}  // namespace csp::detail
