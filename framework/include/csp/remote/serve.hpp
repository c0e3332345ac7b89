// csp::serve: lets other processes join this runtime's named channels (also those made later)
// with csp::Connect. Loopback only unless another address is given.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "csp/remote/tls.hpp"

namespace csp {

struct ServeOptions {
  /// The address to listen on; "0.0.0.0" for every interface.
  std::string bind = "127.0.0.1";
  /// When not empty, peers must prove they know it (challenge-response; never sent).
  std::string auth_key = {};
  /// When given, every connection is TLS: peers must connect with Connect::tls (see ConnectTls).
  std::optional<ServeTls> tls = std::nullopt;
  /// A peer that stops reading holds up no one here: what it has not read waits for it, up to
  /// 64 MiB. Beyond that, a peer that takes none of it for this long is dropped.
  std::chrono::milliseconds peer_patience = std::chrono::seconds(10);
};

/// Listens on `port` (0: any free one) and returns the port; csp::Error if it is taken.
/// While it serves, this runtime does not report csp::Deadlock: a peer may still come.
std::uint16_t serve(std::uint16_t port, const ServeOptions& options = {});

}  // namespace csp
