// One served connection, from the challenge to the peer's last frame: csp::serve runs one per
// accepted socket; anything that holds a connected socket (a fuzz target) may run one too.
#pragma once

#include <string>

#include "tls.hpp"

namespace csp::detail {

/// Admits the peer on connected socket `fd` (owned from now on) if it completes a TLS handshake
/// (with `tls`, if any) and proves `auth_key`, then makes its reads and writes on the served
/// channels (`lending`: on the ends lent to it, a multiprocess child) until it leaves or
/// misbehaves.
void serve_connection(int fd, std::string auth_key, bool lending = false, TlsContext tls = nullptr) noexcept;

}  // namespace csp::detail
