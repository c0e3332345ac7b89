// Runtime settings (worker threads, stack size, idle spin, tracing), applied before first use.
// Example: csp::Configuration{}.threads(1).stack_size(256 * 1024).apply();
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace csp {

class Configuration {
 public:
  /// Worker threads hosting processes; 0 (the default) means one per core.
  Configuration& threads(std::size_t n) noexcept {
    threads_ = n;
    return *this;
  }
  std::size_t threads() const noexcept { return threads_; }

  /// Stack of each process, rounded up to whole pages (default 64 KiB).
  Configuration& stack_size(std::size_t bytes) noexcept {
    stack_size_ = bytes;
    return *this;
  }
  std::size_t stack_size() const noexcept { return stack_size_; }

  /// How long a thread about to sleep (an idle worker, a thread blocked on a channel, a remote
  /// link waiting for the network) polls first for what it waits for, yielding its core to
  /// whichever thread wants it. Unset, the environment's CSP_IDLE_SPIN (microseconds) or 0 (off)
  /// applies; no polling on one core. A wake-up that finds its thread still polling costs about
  /// a microsecond, one that wakes a sleeping thread on another core tens of them: 50 us makes
  /// a message between OS processes twice as fast on an otherwise idle machine, and several
  /// times slower on a busy one (a yield may give the core to another program for a time slice).
  /// A thread whose polls come to nothing skips its next ones (up to 64), and an idle worker
  /// polls only while another worker is free.
  Configuration& idle_spin(std::chrono::microseconds spin) noexcept {
    idle_spin_ = spin;
    return *this;
  }
  std::optional<std::chrono::microseconds> idle_spin() const noexcept { return idle_spin_; }

  /// Records a trace of the run to `file` (empty: off).
  Configuration& trace(std::string file) {
    trace_ = std::move(file);
    return *this;
  }
  const std::string& trace() const noexcept { return trace_; }

  /// Makes these settings the runtime's; throws csp::Error once the runtime has started.
  void apply() const;

 private:
  std::size_t threads_ = 0;
  std::size_t stack_size_ = 64 * 1024;
  std::optional<std::chrono::microseconds> idle_spin_;
  std::string trace_;
};

}  // namespace csp
