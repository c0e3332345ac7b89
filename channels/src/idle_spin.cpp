// The process-wide spin time of idle_spin.hpp (set by the runtime from csp::Configuration or
// CSP_IDLE_SPIN), and each thread's record of whether its polls pay off.

#include "csp/detail/idle_spin.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace csp::detail {

namespace {

// CSP_IDLE_SPIN in microseconds; 0 if unset or not a number, which `report` says on stderr.
std::chrono::nanoseconds read_environment(bool report) noexcept {
  const char* text = std::getenv("CSP_IDLE_SPIN");
  if (!text) return {};
  unsigned us = 0;
  const char* end = text + std::strlen(text);
  if (auto [at, error] = std::from_chars(text, end, us); error != std::errc() || at != end) {
    if (report) std::fprintf(stderr, "csp: CSP_IDLE_SPIN=%s is not a number of microseconds: ignored\n", text);
    return {};
  }
  return std::chrono::microseconds(us);
}

// On one core, whoever would end the wait needs the core the poller holds: it sleeps at once.
std::int64_t allowed(std::chrono::nanoseconds spin) noexcept {
  return std::thread::hardware_concurrency() > 1 ? spin.count() : 0;
}

// Until a runtime starts, which reads the environment again and reports a bad value: once.
std::atomic<std::int64_t> spin_ns{allowed(read_environment(false))};

constexpr unsigned max_skipped = 64;

struct SpinHistory {
  unsigned skip = 0;     // polls still to skip
  unsigned penalty = 0;  // how many the next poll that comes to nothing skips
};

thread_local SpinHistory history;

}  // namespace

std::chrono::nanoseconds idle_spin() noexcept {
  return std::chrono::nanoseconds(spin_ns.load(std::memory_order_relaxed));
}

void set_idle_spin(std::chrono::nanoseconds spin) noexcept {
  spin_ns.store(allowed(spin), std::memory_order_relaxed);
}

std::chrono::nanoseconds idle_spin_from_environment() noexcept { return read_environment(true); }

bool spin_worthwhile() noexcept {
  if (history.skip == 0) return true;
  --history.skip;
  return false;
}

void spin_paid_off(bool paid) noexcept {
  if (paid) {
    history.penalty = 0;
    return;
  }
  history.penalty = history.penalty ? std::min(2 * history.penalty, max_skipped) : 1;
  history.skip = history.penalty;
}

}  // namespace csp::detail
