// The trace recorder: Configuration::trace (or CSP_TRACE) turns it on; the channel observer,
// processes, alternation and the runtime report to it. Off, each call site costs one branch.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "trace_format.hpp"

namespace csp::detail {
class ProcessBase;
class GuardBase;
}  // namespace csp::detail

namespace csp::detail::trace {

inline std::atomic<bool> recording{false};
inline bool on() noexcept { return recording.load(std::memory_order_relaxed); }

/// Records to `file` from now on (truncating it), or stops recording if `file` is empty;
/// nothing changes if it records to `file` already. csp::Error if the file cannot be written.
void configure(const std::string& file);
/// The file named by `configured` if not empty, else by CSP_TRACE, else none; none in a
/// multiprocess child, which would otherwise write over its parent's trace.
std::string file_for(const std::string& configured);
/// Writes every thread's pending records out.
void flush() noexcept;

void record(Kind kind, const void* what, std::uint32_t arg, std::string_view text = {}) noexcept;
void process_started(ProcessBase& p) noexcept;
void process_ended(const ProcessBase& p, End how) noexcept;
void alternation_chose(const GuardBase& guard, std::size_t index) noexcept;

}  // namespace csp::detail::trace
