// Where a remote channel lives: `csp::Channel<int> c("A", csp::Connect{"127.0.0.1", port});`
// joins channel "A" of the runtime that called csp::serve(port) there.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "csp/remote/detail/remote_core.hpp"
#include "csp/remote/tls.hpp"
#include "csp/shared/detail/remote_object.hpp"

namespace csp {

/// A served runtime: host name or address, port, the auth key it requires (if any), and whether
/// it is reached over TLS (it must be if it serves with ServeOptions::tls).
struct Connect {
  std::string host;
  std::uint16_t port;
  std::string auth_key = {};
  std::optional<ConnectTls> tls = std::nullopt;
};

namespace detail {
std::shared_ptr<Link> connect_link(const Connect& where);

/// The shared object `object` of the manager `manager` served at `where` (of the server for
/// lent objects, if `manager` is empty), which must be a `type`; csp::Error if there is no such
/// object or it is of another type.
std::shared_ptr<const RemoteObject> attach_object(const Connect& where, const std::string& manager,
                                                  const std::string& object, const std::string& type);
}  // namespace detail

/// Found by Channel<T>'s constructor: the local stand-in for channel `name` served at `where`.
template <class T>
std::shared_ptr<detail::ChannelCore<T>> connect_channel(std::string name, const Connect& where) {
  static_assert(detail::message<T>,
                "a remote channel's message type must be a built-in or announced with CSP_MESSAGE_TYPE");
  auto core = std::make_shared<detail::RemoteCore<T>>(
      detail::connect_link(where), std::move(name));
  core->open(core);
  return core;
}

}  // namespace csp
