// Barrier: each call of its handle is one request to the owner, whose state is in the header;
// a waiter that times out breaks the barrier.

#include "csp/shared/barrier.hpp"

#include "csp/errors.hpp"

namespace csp {

namespace {
using State = detail::BarrierState;
}

Barrier::Barrier(std::size_t parties) : Barrier(detail::make_owner(), parties) {}
Barrier::Barrier(detail::Origin origin, std::size_t parties) : Handle(std::move(origin), "Barrier", parties) {
  if (parties == 0) throw Error("a Barrier needs at least one party");
}

std::size_t Barrier::wait() const { return call(State::Wait{}); }

std::size_t Barrier::wait_until(detail::Clock::time_point deadline) const {
  if (auto index = call_until(State::Wait{}, deadline)) return *index;
  send(State::Abort{});  // a timed-out waiter breaks the barrier, as in Python
  throw BrokenBarrierError("'" + name() + "': timed out, the barrier is now broken");
}

void Barrier::abort() const { call(State::Abort{}); }
void Barrier::reset() const { call(State::Reset{}); }
std::size_t Barrier::n_waiting() const { return call(State::Waiting{}); }
bool Barrier::broken() const { return call(State::Broken{}); }
const std::string& Barrier::name() const noexcept { return state().name(); }

}  // namespace csp
