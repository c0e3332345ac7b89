// Semaphore and BoundedSemaphore: the owner hands units to waiters in arrival order.

#include "csp/shared/semaphore.hpp"

#include "csp/errors.hpp"
#include "csp/shared/detail/wait_queue.hpp"

namespace csp::detail {

class SemaphoreState {
 public:
  SemaphoreState(std::string name, unsigned value, bool bounded)
      : name_(std::move(name)), value_(value), bound_(bounded ? value : 0), bounded_(bounded) {}

  struct Release {
    using result = void;
    unsigned n;
  };
  struct Acquire {
    using result = bool;
    bool blocking;
    /// A caller interrupted after being granted a unit gives it back.
    Release undo(bool& granted) const { return {granted ? 1u : 0u}; }
  };
  struct GetValue {
    using result = unsigned;
  };

  void handle(Acquire& op, Reply<bool>& reply) {
    if (value_ > 0 && !waiting_.front()) {
      if (reply.answer(true)) --value_;
    } else if (!op.blocking) {
      reply.answer(false);
    } else {
      waiting_.push(reply);
    }
  }
  void handle(Release& op) {
    if (bounded_ && value_ + op.n > bound_)
      throw Error("'" + name_ + "' released more times than acquired");
    value_ += op.n;
    for (Reply<bool>* w; value_ > 0 && (w = waiting_.front());)
      if (waiting_.take().answer(true)) --value_;
  }
  unsigned handle(GetValue&) const noexcept { return value_; }

  const std::string& name() const noexcept { return name_; }

 private:
  std::string name_;
  unsigned value_;
  unsigned bound_;
  bool bounded_;
  WaitQueue<Reply<bool>> waiting_;
};

SemaphoreHandle::SemaphoreHandle(std::shared_ptr<Owner> owner, const char* kind, unsigned value,
                                 bool bounded)
    : Handle(std::move(owner), object_name(kind), value, bounded) {}

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
Semaphore::Semaphore(std::shared_ptr<detail::Owner> owner, unsigned value)
    : SemaphoreHandle(std::move(owner), "Semaphore", value, false) {}

BoundedSemaphore::BoundedSemaphore(unsigned value) : BoundedSemaphore(detail::make_owner(), value) {}
BoundedSemaphore::BoundedSemaphore(std::shared_ptr<detail::Owner> owner, unsigned value)
    : SemaphoreHandle(std::move(owner), "BoundedSemaphore", value, true) {}

}  // namespace csp
