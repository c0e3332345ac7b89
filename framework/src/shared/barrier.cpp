// Barrier: the owner collects waiters and answers them all, with their arrival index, once
// `parties` have arrived; abort and reset answer them with BrokenBarrierError.

#include "csp/shared/barrier.hpp"

#include <algorithm>
#include <vector>

#include "csp/errors.hpp"

namespace csp::detail {

class BarrierState {
 public:
  BarrierState(std::string name, std::size_t parties) : name_(std::move(name)), parties_(parties) {}

  struct Wait {
    using result = std::size_t;
  };
  struct Abort {
    using result = void;
  };
  struct Reset {
    using result = void;
  };
  struct Waiting {
    using result = std::size_t;
  };
  struct Broken {
    using result = bool;
  };

  void handle(Wait&, Reply<std::size_t>& reply) {
    if (broken_) throw broken_error();
    waiting_.push_back(reply);
    if (waiting_.size() < parties_) return;
    for (std::size_t i = 0; i < waiting_.size(); ++i) waiting_[i].answer(i);
    waiting_.clear();
  }
  void handle(Abort&) {
    broken_ = true;
    fail_waiting();
  }
  void handle(Reset&) {
    fail_waiting();
    broken_ = false;
  }
  std::size_t handle(Waiting&) const {
    return static_cast<std::size_t>(std::ranges::count_if(waiting_, &Reply<std::size_t>::pending));
  }
  bool handle(Broken&) const noexcept { return broken_; }

  const std::string& name() const noexcept { return name_; }

 private:
  BrokenBarrierError broken_error() const {
    return BrokenBarrierError("'" + name_ + "' is broken");
  }
  void fail_waiting() {
    for (Reply<std::size_t>& w : waiting_) w.fail(std::make_exception_ptr(broken_error()));
    waiting_.clear();
  }

  std::string name_;
  std::size_t parties_;
  bool broken_ = false;
  std::vector<Reply<std::size_t>> waiting_;  // this round's, in arrival order
};

}  // namespace csp::detail

namespace csp {

namespace {
using State = detail::BarrierState;
}

Barrier::Barrier(std::size_t parties) : Barrier(detail::make_owner(), parties) {}
Barrier::Barrier(std::shared_ptr<detail::Owner> owner, std::size_t parties)
    : Handle(std::move(owner), detail::object_name("Barrier"), parties), parties_(parties) {
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
