// Executors and fibers. Exceptions never cross a fiber boundary: ProcessBase::run catches
// everything but Boost's forced_unwind, which must reach the fiber's entry to unwind it.

#include "executor.hpp"

#include <boost/context/detail/exception.hpp>
#include <caf/all.hpp>

#include "csp/detail/activity.hpp"
#include "csp/detail/idle_spin.hpp"

namespace csp::detail {

using resume_atom = caf::atom_constant<caf::atom("resume")>;

namespace {
thread_local Executor* running_executor = nullptr;
}

Fiber* Fiber::create(Executor& home, StackPool& stacks, std::shared_ptr<ProcessBase> process) {
  boost::context::stack_context stack = stacks.allocate();
  auto top = reinterpret_cast<std::uintptr_t>(stack.sp);
  void* at = reinterpret_cast<void*>((top - sizeof(Fiber)) & ~(alignof(Fiber) - 1));
  return new (at) Fiber(home, stacks, stack, std::move(process));
}

Fiber::Fiber(Executor& home, StackPool& stacks, boost::context::stack_context stack,
             std::shared_ptr<ProcessBase> process)
    : home_(&home),
      process_(process.get()),
      owner_(std::move(process)),
      switch_(static_cast<char*>(stack.sp) - stack.size, stack.size) {
  // Boost's own record goes just below this object.
  std::size_t above = static_cast<char*>(stack.sp) - reinterpret_cast<char*>(this);
  switch_.make([&] {
    fiber_ = boost::context::fiber(
        std::allocator_arg, boost::context::preallocated(this, stack.size - above, stack),
        PooledStack(stacks), [this](boost::context::fiber&& back) {
          switch_.arrived();
          back_ = std::move(back);
          {
            std::shared_ptr<ProcessBase> process = std::move(owner_);
            try {
              if (process) process->run();  // none when unwound before it started
            } catch (const boost::context::detail::forced_unwind&) {
              home_->retire(this);  // abandoned at shutdown
              switch_.leave(true);
              throw;
            }
            home_->retire(this);  // while the process lives: dump_network may reach it through us
          }
          switch_.leave(true);
          return std::move(back_);
        });
  });
}

void Fiber::wake() { home_->schedule(this); }

void Fiber::unwind() noexcept {
  // A fiber that never started runs its body without the process, which gives its stack back
  // the ordinary way (Boost's unwinding would run on a stack the sanitizers were not told of);
  // the process ends as one unwound does.
  if (std::shared_ptr<ProcessBase> never_started = std::move(owner_)) {
    resume();
    never_started->end_never_run();
    return;
  }
  // A started one is resumed with Boost's forced_unwind, running its destructors.
  FiberSwitch::Entry entry = switch_.enter();
  boost::context::fiber doomed = std::move(fiber_);
  doomed = {};
  FiberSwitch::back(entry, true);
}

void Fiber::suspend() {
  switch_.leave(false);
  try {
    back_ = std::move(back_).resume();
  } catch (const boost::context::detail::forced_unwind&) {
    switch_.arrived();  // unwound at shutdown: back on this stack all the same
    throw;
  }
  switch_.arrived();
}

bool Fiber::resume() {
  set_current_context(this);
  FiberSwitch::Entry entry = switch_.enter();
  boost::context::fiber next = std::move(fiber_).resume();
  set_current_context(nullptr);
  bool ended = !next;
  if (!ended) fiber_ = std::move(next);
  FiberSwitch::back(entry, ended);
  return ended;
}

Executor* Executor::current() noexcept { return running_executor; }

void Executor::adopt(const std::vector<Fiber*>& fibers) {
  for (std::size_t i = 0; i < fibers.size(); ++i) activity_add();  // runnable until parked
  {
    std::lock_guard lock(inbox_mutex_);
    for (Fiber* f : fibers) {
      f->next_ = live_;
      if (live_) live_->prev_ = f;
      live_ = f;
      f->linked_ = true;
    }
    if (running_executor != this) inbox_.insert(inbox_.end(), fibers.begin(), fibers.end());
  }
  if (running_executor == this) ready_.insert(ready_.end(), fibers.begin(), fibers.end());
  else notify();
}

void Executor::retire(Fiber* f) noexcept {
  std::lock_guard lock(inbox_mutex_);
  if (!f->linked_) return;
  (f->prev_ ? f->prev_->next_ : live_) = f->next_;
  if (f->next_) f->next_->prev_ = f->prev_;
  f->linked_ = false;
}

void Executor::abandon() noexcept {
  {
    // Runnable fibers counted as activity; they will never run now. Later wake-ups are
    // dropped by schedule().
    std::lock_guard lock(inbox_mutex_);
    activity_drop(inbox_.size() + ready_.size());
    inbox_.clear();
  }
  ready_.clear();
  for (;;) {
    Fiber* f;
    {
      std::lock_guard lock(inbox_mutex_);
      if (!(f = live_)) return;
    }
    f->unwind();  // takes it off the list
  }
}

void Executor::collect(std::vector<std::shared_ptr<ProcessBase>>& out) {
  std::lock_guard lock(inbox_mutex_);
  for (Fiber* f = live_; f; f = f->next_) out.push_back(f->process_->shared_from_this());
}

void Executor::schedule(Fiber* f) {
  if (running_executor == this) {
    ready_.push_back(f);
    return;
  }
  {
    std::lock_guard lock(inbox_mutex_);
    if (stopping_.load(std::memory_order_relaxed)) {
      activity_drop(1);  // the unpark counted it, but it will never run
      return;
    }
    inbox_.push_back(f);
  }
  notify();
}

void Executor::notify() {
  if (idle_.exchange(false)) caf::anon_send(actor_, resume_atom::value);
}

void Executor::run_deferred() {
  std::vector<std::function<void()>> tasks;
  tasks.swap(deferred_);
  for (auto& task : tasks) task();
}

bool Executor::spin_over() {
  if (workers_->in_executors.load(std::memory_order_relaxed) >= workers_->count) return true;
  std::lock_guard lock(inbox_mutex_);
  return !inbox_.empty() || !live_ || stopping_.load(std::memory_order_relaxed);
}

namespace {

// While a worker is inside Executor::run(): the executor it runs, counted among the workers
// that other executors' spins must leave free.
class Inside {
 public:
  Inside(Executor* executor, Workers& workers) noexcept : workers_(workers) {
    running_executor = executor;
    workers_.in_executors.fetch_add(1, std::memory_order_relaxed);
  }
  Inside(const Inside&) = delete;
  Inside& operator=(const Inside&) = delete;
  ~Inside() {
    workers_.in_executors.fetch_sub(1, std::memory_order_relaxed);
    running_executor = nullptr;
  }

 private:
  Workers& workers_;
};

}  // namespace

void Executor::run() {
  constexpr int switches_per_deferred_run = 64;
  Inside inside(this, *workers_);
  for (;;) {
    for (int switches = 0; !ready_.empty(); ++switches) {
      if (stopping_.load(std::memory_order_relaxed)) {
        // abandon() takes this mutex after the hosting actor has ended: taking it here orders
        // that after these fibers' last steps also for ThreadSanitizer, which cannot see CAF's
        // own synchronization.
        std::lock_guard lock(inbox_mutex_);
        return;
      }
      if (switches == switches_per_deferred_run) {
        run_deferred();
        switches = 0;
      }
      Fiber* f = ready_.front();
      ready_.pop_front();
      if (f->resume()) activity_remove();
    }
    run_deferred();
    // A wake-up that comes while this spins costs no message and no worker hand-off.
    spin_until([this] { return spin_over(); });
    std::unique_lock lock(inbox_mutex_);
    if (inbox_.empty()) {
      idle_.store(true);
      break;
    }
    ready_.insert(ready_.end(), inbox_.begin(), inbox_.end());
    inbox_.clear();
  }
}

}  // namespace csp::detail
