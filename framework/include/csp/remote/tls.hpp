// TLS for remote channels and managers: the certificate csp::serve presents, and the authority
// a csp::Connect checks it against. Off unless given.
#pragma once

#include <string>

namespace csp {

/// What csp::serve presents to its peers (ServeOptions::tls): PEM files of the certificate chain
/// (the server's own certificate first) and of its private key.
struct ServeTls {
  std::string certificate_chain_file;
  std::string private_key_file;
};

/// How a csp::Connect verifies the server (Connect::tls): its certificate must chain to a CA in
/// `ca_file` (PEM; empty: the system's trusted CAs) and be issued for the host connected to.
struct ConnectTls {
  std::string ca_file = {};
};

}  // namespace csp
