// csp::Event (Python's multiprocessing.Event): a flag processes wait for, owned by an owner
// actor that wakes every waiter when it is set.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "csp/shared/detail/owner.hpp"

namespace csp {

namespace detail {
class EventState;
}

class Event : public detail::Handle<detail::EventState> {
 public:
  Event();
  /// An event run by `owner` (a Manager's).
  explicit Event(std::shared_ptr<detail::Owner> owner);

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
