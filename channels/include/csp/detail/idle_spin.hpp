// Spinning before sleeping: a thread about to block first polls for what it waits for, for a
// few tens of microseconds, because waking a thread that sleeps costs a cross-core hand-off.
#pragma once

#include <chrono>
#include <thread>

namespace csp::detail {

/// How long a thread about to sleep polls first (0: it sleeps at once, the default). Always 0
/// on a machine with one core.
std::chrono::nanoseconds idle_spin() noexcept;
void set_idle_spin(std::chrono::nanoseconds spin) noexcept;
/// The spin the environment asks for: CSP_IDLE_SPIN, in microseconds (0 if unset or invalid).
std::chrono::nanoseconds idle_spin_from_environment() noexcept;

/// Whether the calling thread should poll before its next sleep. After a poll that came to
/// nothing in time it skips its next 1, 2, 4, ... up to 64 (the wake-ups it waits for come
/// late); one that paid off resets that.
bool spin_worthwhile() noexcept;
void spin_paid_off(bool paid) noexcept;

/// Polls `ready` until it returns true or idle_spin() has passed, yielding the core between
/// polls to whichever thread wants it; whether it returned true. With no spin, it does not ask.
template <class Ready>
bool spin_until(Ready ready) {
  const std::chrono::nanoseconds spin = idle_spin();
  if (spin.count() <= 0) return false;
  if (ready()) return true;
  if (!spin_worthwhile()) return false;
  const auto until = std::chrono::steady_clock::now() + spin;
  do {
    std::this_thread::yield();
    if (ready()) {
      spin_paid_off(std::chrono::steady_clock::now() < until);  // not if preempted meanwhile
      return true;
    }
  } while (std::chrono::steady_clock::now() < until);
  spin_paid_off(false);
  return false;
}

}  // namespace csp::detail
