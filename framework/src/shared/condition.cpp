// Condition: a waiter is queued before it releases the lock. From another OS process, its wait
// and its release leave in that order through one connection, whose requests the serving side
// hands to the owners in order, so the same holds there.

#include "csp/shared/condition.hpp"

#include "csp/errors.hpp"

namespace csp {

namespace {
using State = detail::ConditionState;
}

Condition::Condition() : Condition(detail::make_owner()) {}
Condition::Condition(Lock lock) : Condition(detail::make_owner(), std::move(lock)) {}
Condition::Condition(RLock lock) : Condition(detail::make_owner(), std::move(lock)) {}
Condition::Condition(detail::Origin origin) : Condition(origin, RLock(origin.owner)) {}
Condition::Condition(detail::Origin origin, detail::LockHandle lock)
    : Handle(std::move(origin), "Condition", std::move(lock)) {}

void Condition::wait() const { wait_impl(std::nullopt); }

bool Condition::wait_until(detail::Clock::time_point deadline) const { return wait_impl(deadline); }

bool Condition::wait_impl(std::optional<detail::Clock::time_point> deadline) const {
  const detail::LockHandle& lock = state().lock();
  // Interrupted (a terminated process) or failing, the wait is withdrawn and the lock stays
  // released; a notify it had already received goes to the next waiter.
  auto waiting = begin(State::Wait{});
  unsigned held;
  try {
    held = lock.release_all();
  } catch (const detail::NotHeldError&) {
    throw Error("'" + name() + "': wait() by a process that does not hold '" + lock.name() + "'");
  }
  bool notified = waiting.wait(deadline).value_or(false);
  lock.restore(held);
  return notified;
}

void Condition::notify(unsigned n) const { call(State::Notify{n}); }
void Condition::notify_all() const { call(State::Notify{~0u}); }
const std::string& Condition::name() const noexcept { return state().name(); }

}  // namespace csp
