// Lock and RLock: the owner grants the lock in arrival order, keeps requests guarded by it
// (a Value's) until it is free, and frees it when its holder process fails.

#include "csp/shared/lock.hpp"

#include <mutex>
#include <unordered_map>
#include <vector>

#include "csp/errors.hpp"

namespace csp::detail {

namespace {

// Every live lock, so that holder_ended() can reach the ones a failed process held, and who
// else it tells.
struct Registry {
  std::mutex mutex;
  std::unordered_map<const LockState*, std::weak_ptr<Object<LockState>>> locks;
  std::vector<HolderEndedListener> listeners;
};

Registry& registry() {
  static Registry* r = new Registry;  // locks may outlive static destruction
  return *r;
}

}  // namespace

LockState::LockState(std::string name, bool reentrant)
    : name_(std::move(name)), reentrant_(reentrant) {}

LockState::~LockState() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.locks.erase(this);
}

void LockState::handle(Acquire& op, Reply<bool>& reply) {
  if (holder_ == reply.caller()) {
    if (!reentrant_)
      throw Error("'" + name_ + "' acquired again by the process holding it (it would wait forever)");
    if (reply.answer(true)) count_ += op.count;
    return;
  }
  if (holder_ == 0) {
    grant(reply, op.count);
  } else if (!op.blocking) {
    reply.answer(false);
  } else {
    waiting_.push({reply.call(), reply, op.count});
  }
}

void LockState::handle(Release&, Reply<void>& reply) {
  release(reply.caller(), false);
  reply.answer();
}

void LockState::handle(ReleaseAll&, Reply<unsigned>& reply) {
  reply.answer(release(reply.caller(), true));
}

const std::string& LockState::type_name() {
  static const std::string name = "Lock";
  return name;
}

void LockState::handle(HolderEnded& op) {
  if ((holder_ & op.mask) != op.holder) return;
  holder_ = 0;
  count_ = 0;
  abandoned_by_ = std::move(op.why);
  hand_on();
}

bool LockState::admit(const std::shared_ptr<Call>& call) {
  if (holder_ == 0 || holder_ == call->caller()) return true;
  waiting_.push({call, std::nullopt, 0});
  return false;
}

void LockState::grant(Reply<bool>& reply, unsigned count) {
  if (!abandoned_by_.empty()) {
    if (reply.fail(std::make_exception_ptr(
            Error("'" + name_ + "' was abandoned: " + abandoned_by_ + " while holding it; it is free again"))))
      abandoned_by_.clear();
    return;
  }
  if (reply.answer(true)) {
    holder_ = reply.caller();
    count_ = count;
  }
}

unsigned LockState::release(std::uintptr_t caller, bool all) {
  if (holder_ == 0) throw NotHeldError("'" + name_ + "' released while not held");
  if (holder_ != caller) throw NotHeldError("'" + name_ + "' released by a process that does not hold it");
  unsigned n = all ? count_ : 1;
  count_ -= n;
  if (count_ == 0) {
    holder_ = 0;
    hand_on();
  }
  return n;
}

void LockState::hand_on() {
  while (holder_ == 0 && waiting_.front()) {
    Waiting w = waiting_.take();
    if (w.grant) grant(*w.grant, w.count);
    else w.call->run(w.call);
  }
}

void holder_ended(std::uintptr_t holder, std::string_view name) {
  holders_ended(holder, ~std::uintptr_t{0}, "its holder '" + std::string(name) + "' ended with an exception");
  std::vector<HolderEndedListener> listeners;
  {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    listeners = r.listeners;
  }
  for (HolderEndedListener listener : listeners) listener(holder, name);
}

void on_holder_ended(HolderEndedListener listener) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.listeners.push_back(listener);
}

void holders_ended(std::uintptr_t holder, std::uintptr_t mask, const std::string& why) {
  std::vector<std::shared_ptr<Object<LockState>>> live;
  {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    for (auto& [state, object] : r.locks)
      if (auto o = object.lock()) live.push_back(std::move(o));
  }
  for (auto& o : live) post(o, LockState::HolderEnded{holder, mask, why});
}

LockHandle::LockHandle(Origin origin, const char* kind, bool reentrant)
    : Handle(std::move(origin), kind, reentrant) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.locks.emplace(&object()->state, object());
}

LockHandle::LockHandle(Origin origin) : LockHandle(std::move(origin), "Lock", false) {}

bool LockHandle::acquire(bool blocking) const { return call(LockState::Acquire{blocking}); }

bool LockHandle::acquire_until(Clock::time_point deadline) const {
  // A last try: the lock may have been free at the deadline and the owner slow to answer.
  return call_until(LockState::Acquire{}, deadline).value_or(false) || acquire(false);
}

void LockHandle::release() const { call_release(LockState::Release{}); }

unsigned LockHandle::release_all() const { return call(LockState::ReleaseAll{}); }

void LockHandle::restore(unsigned count) const { call(LockState::Acquire{true, count}); }

bool LockHandle::locked() const { return call(LockState::Locked{}); }

}  // namespace csp::detail

namespace csp {

Lock::Lock() : Lock(detail::make_owner()) {}
Lock::Lock(detail::Origin origin) : LockHandle(std::move(origin), "Lock", false) {}

RLock::RLock() : RLock(detail::make_owner()) {}
RLock::RLock(detail::Origin origin) : LockHandle(std::move(origin), "RLock", true) {}

const std::string& RLock::served_type() {
  static const std::string name = "RLock";
  return name;
}

}  // namespace csp
