// Semaphore and BoundedSemaphore: each call of their handles is one request to the owner,
// whose state is in the header.

#include "csp/shared/semaphore.hpp"

namespace csp::detail {

SemaphoreHandle::SemaphoreHandle(Origin origin, const char* kind, unsigned value, bool bounded)
    : Handle(std::move(origin), kind, value, bounded) {}

bool SemaphoreHandle::acquire(bool blocking) const { return call(SemaphoreState::Acquire{blocking}); }

bool SemaphoreHandle::acquire_until(Clock::time_point deadline) const {
  // A last try: a unit may have been free at the deadline and the owner slow to answer.
  return call_until(SemaphoreState::Acquire{true}, deadline).value_or(false) || acquire(false);
}

void SemaphoreHandle::release(unsigned n) const { call_release(SemaphoreState::Release{n}); }

unsigned SemaphoreHandle::get_value() const { return call(SemaphoreState::GetValue{}); }

const std::string& SemaphoreHandle::name() const noexcept { return state().name(); }

}  // namespace csp::detail

namespace csp {

Semaphore::Semaphore(unsigned value) : Semaphore(detail::make_owner(), value) {}
Semaphore::Semaphore(detail::Origin origin, unsigned value)
    : SemaphoreHandle(std::move(origin), "Semaphore", value, false) {}

BoundedSemaphore::BoundedSemaphore(unsigned value) : BoundedSemaphore(detail::make_owner(), value) {}
BoundedSemaphore::BoundedSemaphore(detail::Origin origin, unsigned value)
    : SemaphoreHandle(std::move(origin), "BoundedSemaphore", value, true) {}

const std::string& BoundedSemaphore::served_type() {
  static const std::string name = "BoundedSemaphore";
  return name;
}

}  // namespace csp
