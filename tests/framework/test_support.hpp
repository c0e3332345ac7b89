// Helpers shared by the channel, framework and stress tests: draining a channel, and bounded
// polling for states another thread reaches (a process parking on a channel).
#pragma once

#include <chrono>
#include <thread>
#include <vector>

#include <csp/csp.hpp>

namespace csp_test {

using namespace std::chrono_literals;

/// Whether AddressSanitizer or ThreadSanitizer is on: they slow every fiber switch down five to
/// twenty times, so the stress tests run smaller sizes under them.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool sanitized = true;
#else
inline constexpr bool sanitized = false;
#endif

/// Reads until the channel ends for this reader (retired or poisoned); what arrived, in order.
template <class T>
std::vector<T> drain(csp::ChannelEndRead<T> in) {
  std::vector<T> got;
  try {
    for (;;) got.push_back(in());
  } catch (const csp::ChannelException&) {
  }
  return got;
}

/// Polls `pred` until it holds or `timeout` passes; whether it held. Only for the main thread
/// (it sleeps the OS thread), to wait for something a process does without a channel to say so.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = 10s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

/// Waits until `n` readers are queued on the channel behind `end` (parked, or offering in an
/// alternation that is about to park).
template <class End>
bool readers_waiting(const End& end, std::size_t n = 1) {
  return eventually([&] { return end.core_ptr()->stats().waiting_readers == n; });
}

/// The same for writers.
template <class End>
bool writers_waiting(const End& end, std::size_t n = 1) {
  return eventually([&] { return end.core_ptr()->stats().waiting_writers == n; });
}

}  // namespace csp_test
