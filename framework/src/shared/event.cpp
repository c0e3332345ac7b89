// Event's handle: each call is one request to the owner, whose state (in the header, where
// the servable concept sees it) keeps the flag.

#include "csp/shared/event.hpp"

namespace csp {

Event::Event() : Event(detail::make_owner()) {}
Event::Event(detail::Origin origin) : Handle(std::move(origin), "Event") {}

void Event::set() const { call(detail::EventState::Set{}); }
void Event::clear() const { call(detail::EventState::Clear{}); }
bool Event::is_set() const { return call(detail::EventState::IsSet{}); }
void Event::wait() const { call(detail::EventState::Wait{}); }
bool Event::wait_until(detail::Clock::time_point deadline) const {
  // As Python's: the flag when the wait ends, even if the owner was too slow to answer in time.
  return call_until(detail::EventState::Wait{}, deadline).value_or(false) || is_set();
}
const std::string& Event::name() const noexcept { return state().name(); }

}  // namespace csp
