// The runtime's one timer facility: claims a waiter when a deadline passes.
// Cancelling is synchronous, because waiters live on the stacks of the processes that wait.
#pragma once

#include <chrono>
#include <cstdint>

#include "csp/detail/waiter.hpp"

namespace csp::detail {

using Clock = std::chrono::steady_clock;

/// At `deadline`, claims `w` with `index` and `outcome` and wakes its owner. Returns an id.
std::uint64_t arm_timer(Waiter& w, int index, Outcome outcome, Clock::time_point deadline);

/// After this returns the timer will not touch its waiter (it may have fired already).
void cancel_timer(std::uint64_t id) noexcept;

}  // namespace csp::detail
