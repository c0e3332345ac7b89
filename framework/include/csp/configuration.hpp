// Runtime settings (worker threads, process stack size, tracing), applied before first use.
// Example: csp::Configuration{}.threads(1).stack_size(256 * 1024).apply();
#pragma once

#include <cstddef>
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
  std::string trace_;
};

}  // namespace csp
