// Telling the runtimes whose shared objects this one uses that one of its processes failed, so
// that the locks it holds there are freed as its local ones are.
#pragma once

#include <cstdint>
#include <string_view>

namespace csp::detail {

/// To every runtime this one has shared objects attached at: the process `holder` (its
/// caller_id()) named `name` ended with an exception.
void remote_holder_ended(std::uintptr_t holder, std::string_view name) noexcept;

}  // namespace csp::detail
