// csp::Event (Python's multiprocessing.Event): a flag processes wait for, owned by an owner
// actor that wakes every waiter when it is set.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <tuple>
#include <utility>

#include "csp/shared/detail/owner.hpp"
#include "csp/shared/detail/wait_queue.hpp"

namespace csp {

namespace detail {

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
  using remote_ops = std::tuple<Set, Clear, IsSet, Wait>;
  static constexpr bool holds_messages = true;
  static const std::string& type_name() {
    static const std::string name = "Event";
    return name;
  }

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

}  // namespace detail

class Event : public detail::Handle<detail::EventState> {
 public:
  Event();
  /// An event run by `origin`'s owner (a Manager's).
  explicit Event(detail::Origin origin);

  void set() const;
  void clear() const;
  bool is_set() const;
  /// Parks until the flag is set.
  void wait() const;
  /// Parks until the flag is set or `timeout` passes; whether it was set.
  template <class Rep, class Period>
  bool wait(std::chrono::duration<Rep, Period> timeout) const {
    return wait_until(detail::deadline_after(timeout));
  }
  bool wait_until(detail::Clock::time_point deadline) const;
  const std::string& name() const noexcept;
};

}  // namespace csp
