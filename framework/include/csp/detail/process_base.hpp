// The control block behind every Process handle: lifecycle, exit code, the exception that
// escaped, and the channel ends among its arguments (poisoned or retired when it fails).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "csp/detail/channel_base.hpp"
#include "csp/detail/completion.hpp"
#include "csp/detail/lazy_name.hpp"
#include "csp/detail/spin_lock.hpp"

namespace csp::detail {

enum class Launch : std::uint8_t { fiber, thread };

/// Counts down as the processes of one Parallel call end; the last one wakes the caller, so
/// joining a hundred thousand processes costs one wake-up, not one each.
struct GroupLatch {
  explicit GroupLatch(std::size_t n) noexcept : remaining(n) {}
  void count_down() {
    if (remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) done.complete();
  }
  std::atomic<std::size_t> remaining;
  Completion done{false};
};

class ProcessBase : public std::enable_shared_from_this<ProcessBase> {
 public:
  explicit ProcessBase(Launch launch);
  ProcessBase(const ProcessBase&) = delete;
  ProcessBase& operator=(const ProcessBase&) = delete;
  virtual ~ProcessBase();

  /// Starts on the runtime (on the caller's worker when called from a process).
  void start();
  void join() { done_.wait(); }
  bool join_until(Clock::time_point deadline) { return done_.wait(deadline); }
  bool is_alive() const;
  void terminate();
  std::optional<int> exitcode() const;
  /// The OS process running the body: this one, or a multiprocess child.
  virtual std::optional<int> pid() const;
  /// "Process-N" unless renamed; N is numbered when the name is first asked for.
  const std::string& name() const;
  /// Renames; not while another thread may be reading the name.
  void set_name(std::string name) { name_.set(std::move(name)); }
  Launch launch() const noexcept { return launch_; }

  /// The exception that escaped the body, unless it was a ChannelException.
  std::exception_ptr error() const noexcept { return error_; }
  /// Order in which errors escaped, across all processes (to rethrow the first).
  std::uint64_t error_order() const noexcept { return error_order_; }

  /// Runs the body on the calling context; the runtime calls it once.
  void run();
  /// Ends, as terminated, a started process whose body will never run (its runtime stopped
  /// first), so that its handle can be joined; the runtime calls it instead of run().
  void end_never_run() { finish(-15); }
  /// Counts `latch` down when the process ends; false (and nothing) if it has ended already.
  bool watch(GroupLatch& latch);
  /// Forgets `latch` (its waiter gave up: a deadlock); after this the process won't touch it.
  void unwatch(GroupLatch& latch);

  /// What the process waits on, as deadlock reports say it; "" unless it is parked.
  std::string waiting_on() const;
  /// Calls `visit(channel, side)` for each channel end among the arguments.
  using EndVisitor = std::function<void(const ChannelBase&, Side)>;
  virtual void visit_ends(const EndVisitor& visit) = 0;

 protected:
  virtual void body() = 0;
  /// Poisons (or retires) every channel end among the arguments, swallowing failures.
  virtual void release_ends(bool poison) noexcept = 0;
  /// Called by terminate() for bodies that wait outside the runtime (a multiprocess child).
  virtual void on_terminate() noexcept {}
  /// The exit code after an exception escaped the body (a multiprocess child's own code).
  virtual int failure_code() const noexcept { return 1; }

 private:
  enum class State : std::uint8_t { created, running, ended };
  /// Records the end with exit code `code` (-15 if terminated) and wakes whoever waits.
  void finish(int code);
  friend void start_group(ProcessBase* const* procs, std::size_t n);

  // Word-sized fields first, then the bytes together: a million processes each own one.
  LazyName name_;
  Context* context_ = nullptr;
  GroupLatch* latch_ = nullptr;
  std::exception_ptr error_;
  std::uint64_t error_order_ = 0;
  Completion done_{false};
  Launch launch_;
  std::atomic<State> state_{State::created};
  mutable SpinLock mutex_;  // guards context_, latch_ and flags_ against the process ending
  // terminate() was called; run() is past its latch. One byte, so the result fits beside it.
  enum Flag : std::uint8_t { terminating = 1, finished = 2 };
  std::uint8_t flags_ = 0;
  std::int16_t exitcode_ = 0;
};

/// Starts `procs` together; from inside a process they share its worker.
void start_group(ProcessBase* const* procs, std::size_t n);
/// Starts `procs` together and waits for all of them; then rethrows the first non-channel
/// exception among them. From their start, dump_network lists them all, also those that end.
void run_group(ProcessBase* const* procs, std::size_t n);

}  // namespace csp::detail
