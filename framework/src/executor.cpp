// Executors and fibers. Exceptions never cross a fiber boundary: ProcessBase::run catches
// everything but Boost's forced_unwind, which must reach the fiber's entry to unwind it.

#include "executor.hpp"

#include <boost/context/detail/exception.hpp>
#include <caf/all.hpp>
#include <fmt/format.h>

#include "csp/detail/activity.hpp"

namespace csp::detail {

using resume_atom = caf::atom_constant<caf::atom("resume")>;

namespace {
thread_local Executor* running_executor = nullptr;
}

Fiber::Fiber(Executor& home, StackPool& stacks, std::shared_ptr<ProcessBase> process)
    : Fiber(home, stacks, stacks.allocate(), std::move(process)) {}

Fiber::Fiber(Executor& home, StackPool& stacks, boost::context::stack_context stack,
             std::shared_ptr<ProcessBase> process)
    : home_(&home),
      process_(std::move(process)),
      switch_(static_cast<char*>(stack.sp) - stack.size, stack.size) {
  fiber_ = boost::context::fiber(std::allocator_arg,
                                 boost::context::preallocated(stack.sp, stack.size, stack),
                                 PooledStack(stacks), [this](boost::context::fiber&& back) {
                                   switch_.arrived();
                                   back_ = std::move(back);
                                   try {
                                     process_->run();
                                   } catch (const boost::context::detail::forced_unwind&) {
                                     switch_.leave(true);  // abandoned at shutdown
                                     throw;
                                   }
                                   ended_ = true;
                                   switch_.leave(true);
                                   return std::move(back_);
                                 });
}

void Fiber::wake() { home_->schedule(this); }

void Fiber::unwind() noexcept {
  switch_.enter();
  fiber_ = {};  // resumes the fiber with Boost's forced_unwind, running its destructors
  switch_.entered_back();
}

void Fiber::suspend() {
  switch_.leave(false);
  back_ = std::move(back_).resume();
  switch_.arrived();
}

bool Fiber::resume() {
  set_current_context(this);
  switch_.enter();
  fiber_ = std::move(fiber_).resume();
  switch_.entered_back();
  set_current_context(nullptr);
  return ended_;
}

Executor* Executor::current() noexcept { return running_executor; }

void Executor::adopt(Fiber* f) {
  activity_add();  // runnable until it first parks
  {
    std::lock_guard lock(inbox_mutex_);
    f->next_ = live_;
    if (live_) live_->prev_ = f;
    live_ = f;
  }
  schedule(f);
}

void Executor::abandon() noexcept {
  Fiber* live = nullptr;
  {
    std::lock_guard lock(inbox_mutex_);
    std::swap(live, live_);
    inbox_.clear();
  }
  ready_.clear();
  while (live) {
    Fiber* f = std::exchange(live, live->next_);
    f->unwind();
    delete f;
  }
}

void Executor::describe_blocked(std::vector<std::string>& lines) {
  std::lock_guard lock(inbox_mutex_);
  for (Fiber* f = live_; f; f = f->next_)
    if (std::string what = f->waiting_on(); !what.empty())
      lines.push_back(fmt::format("process '{}' waits on {}", f->name(), what));
}

void Executor::schedule(Fiber* f) {
  if (running_executor == this) {
    ready_.push_back(f);
    return;
  }
  {
    std::lock_guard lock(inbox_mutex_);
    inbox_.push_back(f);
  }
  if (idle_.exchange(false)) caf::anon_send(actor_, resume_atom::value);
}

void Executor::run() {
  running_executor = this;
  for (;;) {
    while (!ready_.empty()) {
      Fiber* f = ready_.front();
      ready_.pop_front();
      if (f->resume()) {
        {
          std::lock_guard lock(inbox_mutex_);
          (f->prev_ ? f->prev_->next_ : live_) = f->next_;
          if (f->next_) f->next_->prev_ = f->prev_;
        }
        delete f;
        activity_remove();
      }
    }
    std::unique_lock lock(inbox_mutex_);
    if (inbox_.empty()) {
      idle_.store(true);
      break;
    }
    ready_.insert(ready_.end(), inbox_.begin(), inbox_.end());
    inbox_.clear();
  }
  running_executor = nullptr;
}

}  // namespace csp::detail
