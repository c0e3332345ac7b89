// Deadlock detection's one number: how many things could still wake a parked context (running
// contexts, pending timers, outstanding external requests). When it reaches zero, nothing can.
#pragma once

#include <cstddef>
#include <string>

namespace csp::detail {

void activity_add() noexcept;
/// May run the deadlock handler on the calling context, when this was the last activity.
void activity_remove() noexcept;
/// Takes back `n` units that nothing will ever remove (processes of a stopped runtime that
/// were runnable, timers it never fired); never runs the deadlock handler.
void activity_drop(std::size_t n) noexcept;

/// Called when the activity count reaches zero; installed by the runtime.
using DeadlockHandler = void (*)();
void set_deadlock_handler(DeadlockHandler handler) noexcept;

/// The message the next Deadlock exception carries.
void set_deadlock_report(std::string report);

/// Holds one unit of activity for its lifetime (an external party that may wake someone).
class Activity {
 public:
  Activity() noexcept { activity_add(); }
  ~Activity() { activity_remove(); }
  Activity(const Activity&) = delete;
  Activity& operator=(const Activity&) = delete;
};

}  // namespace csp::detail
