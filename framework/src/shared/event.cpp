// Event: the owner keeps the flag and answers every waiter when it is set.

#include "csp/shared/event.hpp"

#include "csp/shared/detail/wait_queue.hpp"

namespace csp::detail {

class EventState {
 public:
  explicit EventState(std::string name) : name_(std::move(name)) {}

  struct Set {
    using result = void;
  };
  struct Clear {
    using result = void;
  };
  struct IsSet {
    using result = bool;
  };
  struct Wait {
    using result = bool;
  };

  void handle(Set&) {
    flag_ = true;
    for (Reply<bool>& w : waiting_.drain()) w.answer(true);
  }
  void handle(Clear&) noexcept { flag_ = false; }
  bool handle(IsSet&) const noexcept { return flag_; }
  void handle(Wait&, Reply<bool>& reply) {
    if (flag_) reply.answer(true);
    else waiting_.push(reply);
  }

  const std::string& name() const noexcept { return name_; }

 private:
  std::string name_;
  bool flag_ = false;
  WaitQueue<Reply<bool>> waiting_;
};

}  // namespace csp::detail

namespace csp {

Event::Event() : Event(detail::make_owner()) {}
Event::Event(std::shared_ptr<detail::Owner> owner)
    : Handle(std::move(owner), detail::object_name("Event")) {}

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
