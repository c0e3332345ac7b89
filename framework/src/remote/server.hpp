// One served connection, from the challenge to the peer's last frame: csp::serve runs one per
// accepted socket; anything that holds a connected socket (a fuzz target) may run one too.
#pragma once

#include <string>

namespace csp::detail {

/// Admits the peer on connected socket `fd` (owned from now on) if it proves `auth_key`, then
/// makes its reads and writes on the served channels (`lending`: on the ends lent to it, a
/// multiprocess child) until it leaves or misbehaves.
void serve_connection(int fd, std::string auth_key, bool lending = false) noexcept;

}  // namespace csp::detail
