// Join counting, retire, poison and destruction for every channel, and the name registry.
// PyCSP semantics: a side retires for good once every end that joined it has left.

#include "csp/detail/channel_base.hpp"

#include <atomic>
#include <limits>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>

#include "csp/detail/activity.hpp"
#include "csp/detail/observer.hpp"
#include "csp/errors.hpp"

namespace csp::detail {

namespace {

std::atomic<long> activity{0};
std::atomic<DeadlockHandler> deadlock_handler{nullptr};

struct ThreadRegistry {
  std::mutex mutex;
  std::vector<ThreadContext*> contexts;
  std::string deadlock_report;
};

ThreadRegistry& threads() {
  static ThreadRegistry* r = new ThreadRegistry;  // outlives every thread's context
  return *r;
}

thread_local ThreadContext thread_context;
thread_local Context* current = nullptr;

struct NameRegistry {
  std::mutex mutex;
  std::unordered_set<std::string> names;
};

NameRegistry& registry() {
  static NameRegistry* r = new NameRegistry;  // outlives channels destroyed at exit
  return *r;
}

void wake_all(const std::vector<Context*>& wake) {
  for (Context* c : wake) c->unpark();
}

}  // namespace

void Context::park(Waiter& w) {
  busy_.lock();
  if (cancelled_) {
    busy_.unlock();
    if (w.claim(0, Outcome::cancelled)) unpark();
  } else {
    parked_ = &w;
    busy_.unlock();
  }
  activity_remove();
  suspend();
  busy_.lock();
  parked_ = nullptr;
  busy_.unlock();
}

void Context::unpark() {
  activity_add();
  wake();
}

void Context::cancel() {
  busy_.lock();
  cancelled_ = true;
  busy_.unlock();
  interrupt(Outcome::cancelled);
}

void Context::interrupt(Outcome outcome) {
  busy_.lock();
  bool claimed = parked_ && (outcome != Outcome::deadlock || parked_->ending_on_deadlock()) &&
                 parked_->claim(0, outcome);
  busy_.unlock();
  if (claimed) unpark();
}

std::string Context::waiting_on() const {
  busy_.lock();
  std::string what = parked_ && !parked_->claimed() ? parked_->describe() : std::string();
  busy_.unlock();
  return what;
}

bool Context::cancelled() const noexcept {
  busy_.lock();
  bool c = cancelled_;
  busy_.unlock();
  return c;
}

void activity_add() noexcept { activity.fetch_add(1, std::memory_order_relaxed); }

void activity_remove() noexcept {
  if (activity.fetch_sub(1, std::memory_order_acq_rel) == 1)
    if (DeadlockHandler h = deadlock_handler.load()) h();
}

void activity_drop(std::size_t n) noexcept {
  activity.fetch_sub(static_cast<long>(n), std::memory_order_acq_rel);
}

void set_deadlock_handler(DeadlockHandler handler) noexcept { deadlock_handler.store(handler); }

ThreadContext::ThreadContext() {
  activity_add();
  ThreadRegistry& r = threads();
  std::lock_guard lock(r.mutex);
  r.contexts.push_back(this);
}

ThreadContext::~ThreadContext() {
  {
    ThreadRegistry& r = threads();
    std::lock_guard lock(r.mutex);
    std::erase(r.contexts, this);
  }
  activity_remove();
}

void ThreadContext::interrupt_all(Outcome outcome) {
  ThreadRegistry& r = threads();
  std::lock_guard lock(r.mutex);
  for (ThreadContext* c : r.contexts) c->interrupt(outcome);
}

void ThreadContext::describe_all(std::vector<std::string>& lines) {
  ThreadRegistry& r = threads();
  std::lock_guard lock(r.mutex);
  for (ThreadContext* c : r.contexts)
    if (std::string what = c->waiting_on(); !what.empty()) lines.push_back(fmt::format("a thread waits on {}", what));
}

void set_deadlock_report(std::string report) {
  ThreadRegistry& r = threads();
  std::lock_guard lock(r.mutex);
  r.deadlock_report = std::move(report);
}

Context& current_context() noexcept { return current ? *current : thread_context; }

void set_current_context(Context* ctx) noexcept { current = ctx; }

void raise(Outcome outcome, const std::string& channel) {
  switch (outcome) {
    case Outcome::poisoned:
      throw ChannelPoisonException(fmt::format("channel '{}' is poisoned", channel));
    case Outcome::retired:
      throw ChannelRetireException(fmt::format("channel '{}' is retired", channel));
    case Outcome::destroyed:
      throw Error(fmt::format("channel '{}' was used after it was destroyed", channel));
    case Outcome::deadlock: {
      ThreadRegistry& r = threads();
      std::lock_guard lock(r.mutex);
      throw Deadlock(r.deadlock_report);
    }
    default:
      throw Error(fmt::format("'{}': operation cancelled, the process was terminated", channel));
  }
}

// Anonymous channels are named "channel#N" without a registry entry (cheap for networks of
// millions), numbered when first asked for; that form is reserved, so it cannot collide with a
// name a user chose.
namespace {
constexpr std::string_view anonymous_prefix = "channel#";
std::atomic<std::uint64_t> anonymous_count{0};

bool anonymous(const std::string& name) {
  return name.starts_with(anonymous_prefix) && name.size() > anonymous_prefix.size() &&
         name.find_first_not_of("0123456789", anonymous_prefix.size()) == std::string::npos;
}
}  // namespace

void claim_channel_name(const std::string& name) {
  if (name.empty()) return;
  if (anonymous(name))
    throw Error(fmt::format("channel name '{}' is reserved for anonymous channels", name));
  NameRegistry& r = registry();
  std::lock_guard lock(r.mutex);
  if (!r.names.insert(name).second) throw Error(fmt::format("channel '{}' already exists", name));
}

void release_channel_name(const std::string& name) noexcept {
  NameRegistry& r = registry();
  std::lock_guard lock(r.mutex);
  r.names.erase(name);
}

ChannelBase::ChannelBase(std::string name) : named_(!name.empty()) {
  claim_channel_name(name);
  if (named_) name_.set(std::move(name));
}

const std::string& ChannelBase::name() const { return name_.get(anonymous_prefix, anonymous_count); }

std::uint32_t ChannelBase::checked_capacity(std::size_t capacity) const {
  if (capacity > std::numeric_limits<std::uint32_t>::max())
    throw Error(fmt::format("channel '{}': buffer of {} messages is too large", name(), capacity));
  return static_cast<std::uint32_t>(capacity);
}

ChannelBase::~ChannelBase() = default;

void ChannelBase::join(Side side) {
  {
    std::lock_guard lock(mutex_);
    ++(side == Side::reader ? readers_joined_ : writers_joined_);
  }
  observe(side == Side::reader ? ChannelEvent::join_reader : ChannelEvent::join_writer, *this);
  remote_event(Event::joined, side, nullptr);
}

void ChannelBase::leave(Side side) {
  observe(side == Side::reader ? ChannelEvent::retire_reader : ChannelEvent::retire_writer, *this);
  std::vector<Context*> wake;
  {
    std::lock_guard lock(mutex_);
    if (side == Side::reader) {
      if (--readers_joined_ == 0) {
        readers_retired_ = true;
        fail_all(writers_, Outcome::retired, wake);
      }
    } else if (--writers_joined_ == 0) {
      writers_retired_ = true;
      // A non-empty buffer means no reader waits; they drain it first.
      fail_all(readers_, Outcome::retired, wake);
    }
  }
  wake_all(wake);
  remote_event(Event::left, side, nullptr);
}

void ChannelBase::poison(Side side) {
  observe(ChannelEvent::poison, *this);
  std::vector<Context*> wake;
  {
    std::lock_guard lock(mutex_);
    if (!poisoned_) poisoned_by_writer_ = side == Side::writer;
    else if (side == Side::reader) poisoned_by_writer_ = false;
    poisoned_ = true;
    if (!poisoned_by_writer_) clear_buffer();
    fail_all(readers_, Outcome::poisoned, wake);
    fail_all(writers_, Outcome::poisoned, wake);
  }
  wake_all(wake);
  remote_event(Event::poisoned, side, nullptr);
}

void ChannelBase::destroy() {
  observe(ChannelEvent::destroy, *this);
  if (named_) release_channel_name(name());
  std::vector<Context*> wake;
  {
    std::lock_guard lock(mutex_);
    destroyed_ = true;
    clear_buffer();
    fail_all(readers_, Outcome::destroyed, wake);
    fail_all(writers_, Outcome::destroyed, wake);
  }
  wake_all(wake);
  remote_event(Event::destroyed, Side::reader, nullptr);
}

void ChannelBase::withdraw(Request& r) {
  std::lock_guard lock(mutex_);
  if (!r.queue) return;
  r.queue->unlink(r);
  remote_event(Event::withdrawn, Side::reader, &r);
}

std::string ChannelBase::describe_read(const void* channel) {
  return fmt::format("a read from channel '{}'", static_cast<const ChannelBase*>(channel)->name());
}

std::string ChannelBase::describe_write(const void* channel) {
  return fmt::format("a write to channel '{}'", static_cast<const ChannelBase*>(channel)->name());
}

ChannelBase::Stats ChannelBase::stats() const {
  std::lock_guard lock(mutex_);
  std::size_t wr = 0, ww = 0;
  for (Request* r = readers_.front(); r; r = r->next) ++wr;
  for (Request* r = writers_.front(); r; r = r->next) ++ww;
  return {readers_joined_, writers_joined_, wr, ww, buffered(), poisoned_,
          readers_retired_ || writers_retired_};
}

Outcome ChannelBase::write_blocked() const noexcept {
  if (destroyed_) return Outcome::destroyed;
  if (poisoned_) return Outcome::poisoned;
  if (readers_retired_) return Outcome::retired;
  return Outcome::done;
}

Outcome ChannelBase::read_blocked(bool buffer_empty) const noexcept {
  if (destroyed_) return Outcome::destroyed;
  if (poisoned_ && (!poisoned_by_writer_ || buffer_empty)) return Outcome::poisoned;
  if (writers_retired_ && buffer_empty && writers_.empty()) return Outcome::retired;
  return Outcome::done;
}

void ChannelBase::fail_all(RequestQueue& q, Outcome outcome, std::vector<Context*>& wake) {
  while (Request* r = q.front()) {
    q.unlink(*r);
    if (r->waiter->claim(r->index, outcome)) wake.push_back(&r->waiter->context());
  }
}

}  // namespace csp::detail
