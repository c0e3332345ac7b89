// Condition: the owner queues waiters and answers them on notify. A waiter is queued before it
// releases the lock, and the owner handles requests in arrival order, so a notify sent by a
// process that took the lock after that release always finds it.

#include "csp/shared/condition.hpp"

#include "csp/errors.hpp"
#include "csp/shared/detail/wait_queue.hpp"

namespace csp::detail {

class ConditionState {
 public:
  explicit ConditionState(std::string name) : name_(std::move(name)) {}

  struct Wait {
    using result = bool;
  };
  struct Notify {
    using result = void;
    unsigned n;
  };

  void handle(Wait&, Reply<bool>& reply) { waiting_.push(reply); }
  void handle(Notify& op) {
    for (unsigned woken = 0; woken < op.n && waiting_.front();)
      if (waiting_.take().answer(true)) ++woken;
  }

  const std::string& name() const noexcept { return name_; }

 private:
  std::string name_;
  WaitQueue<Reply<bool>> waiting_;
};

}  // namespace csp::detail

namespace csp {

namespace {
using State = detail::ConditionState;
}

Condition::Condition() : Condition(detail::make_owner()) {}
Condition::Condition(Lock lock) : Condition(detail::make_owner(), std::move(lock)) {}
Condition::Condition(RLock lock) : Condition(detail::make_owner(), std::move(lock)) {}
Condition::Condition(std::shared_ptr<detail::Owner> owner) : Condition(owner, RLock(owner)) {}
Condition::Condition(std::shared_ptr<detail::Owner> owner, detail::LockHandle lock)
    : Handle(std::move(owner), detail::object_name("Condition")), lock_(std::move(lock)) {}

void Condition::wait() const { wait_impl(std::nullopt); }

bool Condition::wait_until(detail::Clock::time_point deadline) const { return wait_impl(deadline); }

bool Condition::wait_impl(std::optional<detail::Clock::time_point> deadline) const {
  auto ticket = start(State::Wait{});
  unsigned held;
  try {
    held = lock_.release_all();
  } catch (const Error&) {
    ticket->abandon();
    throw Error("'" + name() + "': wait() by a process that does not hold '" + lock_.name() + "'");
  }
  bool notified;
  try {
    notified = ticket->wait(deadline);
  } catch (...) {
    // Interrupted (a terminated process): the lock stays released; a notify it had already
    // received goes to the next waiter.
    if (!ticket->abandon()) send(State::Notify{1});
    throw;
  }
  if (!notified && !ticket->abandon()) {
    ticket->settle();
    notified = true;
  }
  lock_.restore(held);
  return notified;
}

void Condition::notify(unsigned n) const { call(State::Notify{n}); }
void Condition::notify_all() const { call(State::Notify{~0u}); }
const std::string& Condition::name() const noexcept { return state().name(); }

}  // namespace csp
