// The pipe between a multiprocess parent and its child: length-prefixed frames over the
// socketpair the child inherits, and the name of the variable that tells a child what it is.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "csp/detail/child_launcher.hpp"

namespace csp::detail {

/// Set in a child's environment to "<fd>:<parent pid>"; the child unsets it at once.
inline constexpr const char* child_env = "CSP_MULTIPROCESS_CHILD";

/// What a child's reply frame starts with.
inline constexpr char reply_result = 'R';
inline constexpr char reply_error = 'E';

/// Writes one frame; false if the peer has gone.
bool write_frame(int fd, std::string_view bytes) noexcept;
/// Reads one frame; empty at end of stream, on error or on a length over the limit.
std::optional<std::string> read_frame(int fd);

/// The entry registered at `index`, if its type name matches; else null.
ChildEntry find_child_entry(std::size_t index, std::string_view type_name);

/// Ends a child that reached the runtime without csp::multiprocess_main() (exit code 127),
/// rather than let it run the parent's main again.
void refuse_unclaimed_child();

}  // namespace csp::detail
