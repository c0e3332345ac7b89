// The TLS engine of a wire::Socket: OpenSSL behind memory buffers, so the socket keeps doing its
// own system calls and only passes ciphertext in and out; and the contexts both sides start from.
#pragma once

#include <openssl/types.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "csp/remote/tls.hpp"

namespace csp::detail {

/// Starts OpenSSL, if nothing in this process has yet, without its exit handler: detached session
/// threads may still use OpenSSL while the process exits, and the handler would free what they
/// use (and make their own exit leak their per-thread state). Call before any other use.
void init_openssl() noexcept;

/// The settings (certificates, verification) every connection of one side shares.
using TlsContext = std::shared_ptr<SSL_CTX>;

/// csp::Error naming the file that cannot be loaded.
TlsContext serving_context(const ServeTls& tls);
TlsContext connecting_context(const ConnectTls& tls);

/// One connection's TLS state. Not thread-safe: its owner serializes every call. Failures throw
/// std::runtime_error with OpenSSL's reason.
class Tls {
 public:
  static std::unique_ptr<Tls> serving(const TlsContext& context);
  /// Verifies that the server's certificate is issued for `host` (a name or an IP address).
  static std::unique_ptr<Tls> connecting(const TlsContext& context, const std::string& host);
  Tls(const Tls&) = delete;
  Tls& operator=(const Tls&) = delete;
  ~Tls();

  /// Hands over ciphertext received from the peer.
  void feed(std::span<const std::byte> ciphertext);
  /// Takes the handshake as far as what was fed allows: true once it is complete.
  bool handshake();
  /// Decrypts what was fed into `plaintext`: the bytes written (0: more ciphertext is needed),
  /// none once the peer has closed.
  std::optional<std::size_t> read(std::span<std::byte> plaintext);
  /// Encrypts `plaintext`; false once the connection has failed.
  bool write(std::span<const std::byte> plaintext);
  /// Announces the end of the stream to the peer (after a complete handshake).
  void close() noexcept;
  /// Ciphertext waiting to be sent to the peer, until clear_output().
  std::span<const std::byte> output() const noexcept;
  void clear_output() noexcept;

 private:
  explicit Tls(const TlsContext& context);
  /// std::runtime_error for the failed call's `result`.
  [[noreturn]] void fail(int result) const;

  SSL* ssl_;
  BIO* in_;   // ciphertext from the peer, owned by ssl_
  BIO* out_;  // ciphertext to the peer, owned by ssl_
};

}  // namespace csp::detail
