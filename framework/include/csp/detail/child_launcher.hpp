// Starts a multiprocess body in a fresh OS process (the program re-executed, never forked) and
// waits for its answer; also the registry of entry points that a re-executed child runs.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace csp::detail {

/// What a child runs: the arguments as bytes in, the result as bytes out; an exception escaping
/// it fails the child (exit code 1).
using ChildEntry = std::string (*)(std::string_view args);

/// Records `entry` under `type_name` at static-initialization time. The index it returns is the
/// same in the re-executed program, because static initialization runs in the same order there.
std::size_t register_child_entry(const char* type_name, ChildEntry entry);

/// The parent's side of one child: spawns it, hands it its arguments, reaps it.
class ChildLauncher {
 public:
  ChildLauncher() = default;
  ChildLauncher(const ChildLauncher&) = delete;
  ChildLauncher& operator=(const ChildLauncher&) = delete;

  /// Runs entry `index` in a new OS process with `args` and waits for it to end; returns the
  /// result bytes it sent. Throws csp::ChildProcessError if it failed, was killed or crashed.
  std::string run(std::size_t index, std::string_view type_name, const std::string& args,
                  const std::string& process_name);
  /// Waits until the spawn has been tried; the child's pid, empty if it never started.
  std::optional<int> pid() const;
  /// Sends SIGTERM to the child if it runs, now or once it is spawned.
  void terminate() noexcept;
  /// The child's exit code: its exit status, or minus the signal that killed it.
  int exitcode() const noexcept;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable spawned_;
  bool tried_ = false;      // the spawn was attempted (pid_ says whether it worked)
  bool reaped_ = false;     // past this, the pid may be reused: never signal it
  bool terminate_ = false;
  int pid_ = -1;
  int exitcode_ = 0;
};

}  // namespace csp::detail
