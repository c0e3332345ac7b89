// A process's lifecycle. Like PyCSP, a ChannelPoisonException (ChannelRetireException)
// escaping the body poisons (retires) the ends it was given; any other exception poisons them
// too and is kept for Parallel and Sequence to rethrow.

#include "csp/detail/process_base.hpp"

#include <unistd.h>

#include <boost/context/detail/exception.hpp>
#include <fmt/format.h>

#include "csp/errors.hpp"
#include "csp/shared/detail/lock_state.hpp"
#include "network.hpp"
#include "runtime.hpp"
#include "trace.hpp"

namespace csp::detail {

namespace {
std::atomic<std::uint64_t> process_count{0};
std::atomic<std::uint64_t> error_count{0};
}  // namespace

ProcessBase::ProcessBase(Launch launch) : launch_(launch) {}

const std::string& ProcessBase::name() const { return name_.get("Process-", process_count); }

ProcessBase::~ProcessBase() = default;

void ProcessBase::start() {
  ProcessBase* self = this;
  start_group(&self, 1);
}

bool ProcessBase::is_alive() const { return state_.load() == State::running; }

std::optional<int> ProcessBase::exitcode() const {
  if (state_.load(std::memory_order_acquire) != State::ended) return std::nullopt;
  return exitcode_;
}

std::optional<int> ProcessBase::pid() const {
  if (state_.load() == State::created) return std::nullopt;
  return static_cast<int>(::getpid());
}

void ProcessBase::terminate() {
  {
    std::lock_guard lock(mutex_);
    flags_ |= terminating;
    if (context_) context_->cancel();
  }
  on_terminate();
}

void ProcessBase::run() {
  {
    std::lock_guard lock(mutex_);
    context_ = &current_context();
    if (flags_ & terminating) context_->cancel();
  }
  if (trace::on()) trace::process_started(*this);
  int code = 0;
  trace::End how = trace::End::returned;
  try {
    body();
  } catch (const boost::context::detail::forced_unwind&) {
    // Unwound by a stopping runtime: it ends as if terminated, so its handle can be joined.
    if (trace::on()) trace::process_ended(*this, trace::End::terminated);
    finish(-15);
    throw;
  } catch (const ChannelPoisonException&) {
    how = trace::End::poisoned;
    release_ends(true);
  } catch (const ChannelRetireException&) {
    how = trace::End::retired;
    release_ends(false);
  } catch (...) {
    how = trace::End::failed;
    release_ends(true);
    // Locks it still holds are freed, and their next acquirers told why.
    holder_ended(reinterpret_cast<std::uintptr_t>(&current_context()), name());
    code = failure_code();
    std::lock_guard lock(mutex_);
    if (!(flags_ & terminating)) {
      error_ = std::current_exception();
      error_order_ = ++error_count;
    }
  }
  if (trace::on()) {
    std::unique_lock lock(mutex_);
    if (flags_ & terminating) how = trace::End::terminated;
    lock.unlock();
    trace::process_ended(*this, how);
  }
  finish(code);
}

void ProcessBase::finish(int code) {
  {
    std::lock_guard lock(mutex_);
    context_ = nullptr;
    exitcode_ = std::int16_t(flags_ & terminating ? -15 : code);
  }
  state_.store(State::ended, std::memory_order_release);
  done_.complete();
  // Under the lock, so that unwatch() knows the latch is no longer touched once it returns.
  std::lock_guard lock(mutex_);
  flags_ |= finished;
  if (GroupLatch* latch = std::exchange(latch_, nullptr)) latch->count_down();
}

std::string ProcessBase::waiting_on() const {
  std::lock_guard lock(mutex_);
  return context_ ? context_->waiting_on() : std::string();
}

void ProcessBase::unwatch(GroupLatch& latch) {
  std::lock_guard lock(mutex_);
  if (latch_ == &latch) latch_ = nullptr;
}

bool ProcessBase::watch(GroupLatch& latch) {
  std::lock_guard lock(mutex_);
  if (flags_ & finished) return false;
  latch_ = &latch;
  return true;
}

void start_group(ProcessBase* const* procs, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    auto expected = ProcessBase::State::created;
    if (!procs[i]->state_.compare_exchange_strong(expected, ProcessBase::State::running)) {
      // Start none of them: the ones already marked go back to not started.
      for (std::size_t j = 0; j < i; ++j) procs[j]->state_.store(ProcessBase::State::created);
      throw Error(fmt::format("process '{}' was already started", procs[i]->name()));
    }
  }
  runtime().start(procs, n);
}

void run_group(ProcessBase* const* procs, std::size_t n) {
  JoinedGroup known(procs, n);  // before they start: one may end before this thread gets here
  start_group(procs, n);
  GroupLatch latch(n + 1);  // one for this caller, so it cannot reach zero before the wait
  for (std::size_t i = 0; i < n; ++i)
    if (!procs[i]->watch(latch)) latch.count_down();
  latch.count_down();
  try {
    latch.done.wait();
  } catch (...) {  // csp::Deadlock: the processes stay blocked, and must forget this latch
    for (std::size_t i = 0; i < n; ++i) procs[i]->unwatch(latch);
    throw;
  }
  ProcessBase* first = nullptr;
  for (std::size_t i = 0; i < n; ++i) {
    procs[i]->join();  // returns at once; orders this thread after the process's end
    if (procs[i]->error() && (!first || procs[i]->error_order() < first->error_order()))
      first = procs[i];
  }
  if (first) std::rethrow_exception(first->error());
}

void spawn(std::shared_ptr<ProcessBase> p) { runtime().spawned(std::move(p)); }

}  // namespace csp::detail
