// A one-byte lock for the short critical sections of channels and processes: a std::mutex
// costs 40 bytes per channel, and a million processes each own one or two.
#pragma once

#include <atomic>
#include <thread>

namespace csp::detail {

/// Lockable; spins briefly, then yields the core to whoever holds it.
class SpinLock {
 public:
  void lock() noexcept {
    for (unsigned spins = 0; flag_.test_and_set(std::memory_order_acquire); ++spins)
      if (spins >= 32) std::this_thread::yield();
  }
  bool try_lock() noexcept { return !flag_.test_and_set(std::memory_order_acquire); }
  void unlock() noexcept { flag_.clear(std::memory_order_release); }

 private:
  std::atomic_flag flag_ = ATOMIC_FLAG_INIT;
};

}  // namespace csp::detail
