// The blocking primitives the channel core is written against: a Context that can park and be
// woken, and a Waiter that exactly one party may claim (the commit point of every operation).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "csp/detail/idle_spin.hpp"
#include "csp/detail/spin_lock.hpp"

namespace csp::detail {

class Waiter;

/// How an operation ended, written by whoever claimed its waiter.
enum class Outcome : std::uint8_t { done, poisoned, retired, destroyed, timeout, cancelled, deadlock };

/// Something that can block until woken: an OS thread, or a process's fiber (installed by the
/// framework). Every park() is ended by exactly one unpark(), which may come first and from any
/// thread; cancel() makes the current and every later park fail with Outcome::cancelled.
class Context {
 public:
  /// Blocks until unpark(); `w` is the operation waited on.
  void park(Waiter& w);
  void unpark();
  void cancel();
  bool cancelled() const noexcept;
  /// Ends the current park, if any, with `outcome`.
  void interrupt(Outcome outcome);
  /// What the current park waits on ("" when running), for deadlock reports.
  std::string waiting_on() const;

 protected:
  ~Context() = default;
  virtual void suspend() = 0;
  virtual void wake() = 0;

 private:
  mutable SpinLock busy_;  // guards parked_ and cancelled_
  Waiter* parked_ = nullptr;
  bool cancelled_ = false;
};

/// The context of the calling thread or process.
Context& current_context() noexcept;

/// Installs `ctx` as the calling thread's current context (nullptr restores the thread's own).
void set_current_context(Context* ctx) noexcept;

/// Throws the exception for a failed `outcome` of an operation on `channel`.
[[noreturn]] void raise(Outcome outcome, const std::string& channel);

/// One blocking operation (a read, a write, or a whole alternation). Exactly one party claims it,
/// picking the index of the request that fired and the outcome; that party then wakes the owner.
class Waiter {
 public:
  static constexpr int active = -1;

  /// Describes what is waited on, for deadlock reports: describe(subject).
  using Describe = std::string (*)(const void* subject);

  explicit Waiter(Context& ctx, Describe describe = nullptr, const void* subject = nullptr) noexcept
      : ctx_(&ctx), describe_(describe), subject_(subject) {}
  Waiter(const Waiter&) = delete;
  Waiter& operator=(const Waiter&) = delete;

  /// Claims this waiter alone; false if it was already claimed.
  bool claim(int index, Outcome outcome) noexcept {
    if (!lock()) return false;
    finish(index, outcome);
    return true;
  }

  /// Claims two waiters at once (an alternation meeting another): both or neither.
  static bool claim_pair(Waiter& a, int ia, Waiter& b, int ib) noexcept {
    Waiter& lo = &a < &b ? a : b;
    Waiter& hi = &a < &b ? b : a;
    if (!lo.lock()) return false;
    if (!hi.lock()) {
      lo.unlock();
      return false;
    }
    a.finish(ia, Outcome::done);
    b.finish(ib, Outcome::done);
    return true;
  }

  bool claimed() const noexcept { return state_.load(std::memory_order_acquire) >= 0; }
  int index() const noexcept { return state_.load(std::memory_order_acquire); }
  Outcome outcome() const noexcept { return outcome_; }
  Context& context() const noexcept { return *ctx_; }
  std::string describe() const { return describe_ ? describe_(subject_) : "something"; }
  /// A wait for processes to end (Parallel, join) is what a deadlock ends with csp::Deadlock;
  /// a thread's channel operation is left alone, since a thread the runtime cannot see might
  /// still complete it.
  void ends_on_deadlock() noexcept { ends_on_deadlock_ = true; }
  bool ending_on_deadlock() const noexcept { return ends_on_deadlock_; }

 private:
  static constexpr int locked = -2;

  // Spins only while another party holds the waiter for the few instructions of a pair claim.
  bool lock() noexcept {
    for (unsigned spins = 0;; ++spins) {
      int expected = active;
      if (state_.compare_exchange_weak(expected, locked, std::memory_order_acquire)) return true;
      if (expected >= 0) return false;
      if (spins > 64) std::this_thread::yield();
    }
  }
  void unlock() noexcept { state_.store(active, std::memory_order_release); }
  void finish(int index, Outcome outcome) noexcept {
    outcome_ = outcome;
    state_.store(index, std::memory_order_release);
  }

  std::atomic<int> state_{active};
  Outcome outcome_{Outcome::done};
  Context* ctx_;
  Describe describe_;
  const void* subject_;
  bool ends_on_deadlock_ = false;
};

/// A thread's own context: polls for unpark() for idle_spin(), then waits on a condition
/// variable. Counts as activity while its thread lives, and is known to the deadlock handler.
class ThreadContext final : public Context {
 public:
  ThreadContext();
  ~ThreadContext();

  /// Interrupts every parked thread context with `outcome`.
  static void interrupt_all(Outcome outcome);
  /// Adds a line for each parked thread and what it waits on.
  static void describe_all(std::vector<std::string>& lines);

 private:
  void wake() override {
    std::lock_guard lock(mutex_);
    permit_.store(true, std::memory_order_release);
    cv_.notify_one();
  }
  void suspend() override {
    spin_until([this] { return permit_.load(std::memory_order_acquire); });
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return permit_.load(std::memory_order_relaxed); });
    permit_.store(false, std::memory_order_relaxed);
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  std::atomic<bool> permit_{false};  // written under mutex_, also polled without it
};

}  // namespace csp::detail
