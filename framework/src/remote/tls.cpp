// OpenSSL contexts and the memory-buffered TLS engine of a wire::Socket; see tls.hpp.

#include "tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <new>
#include <stdexcept>

#include <fmt/format.h>

#include "csp/errors.hpp"

namespace csp::detail {

namespace {

/// OpenSSL's reason for the oldest error of this thread's queue, which it empties.
std::string last_error() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  const char* reason = code ? ERR_reason_error_string(code) : nullptr;
  return reason ? reason : "unknown error";
}

/// TLS 1.3 only: both ends are csp, so nothing older needs to be spoken.
TlsContext new_context() {
  init_openssl();
  TlsContext context(SSL_CTX_new(TLS_method()), SSL_CTX_free);
  if (!context || !SSL_CTX_set_min_proto_version(context.get(), TLS1_3_VERSION))
    throw Error(fmt::format("csp: no TLS context: {}", last_error()));
  return context;
}

void check_loaded(int loaded, const char* who, const char* what, const std::string& file) {
  if (!loaded) throw Error(fmt::format("{}: TLS {} '{}': {}", who, what, file, last_error()));
}

}  // namespace

void init_openssl() noexcept { OPENSSL_init_ssl(OPENSSL_INIT_NO_ATEXIT, nullptr); }

TlsContext serving_context(const ServeTls& tls) {
  TlsContext context = new_context();
  SSL_CTX* c = context.get();
  check_loaded(SSL_CTX_use_certificate_chain_file(c, tls.certificate_chain_file.c_str()), "csp::serve",
               "certificate chain", tls.certificate_chain_file);
  check_loaded(SSL_CTX_use_PrivateKey_file(c, tls.private_key_file.c_str(), SSL_FILETYPE_PEM), "csp::serve",
               "private key", tls.private_key_file);
  check_loaded(SSL_CTX_check_private_key(c), "csp::serve", "private key (for this certificate)",
               tls.private_key_file);
  // Connections last; resuming one is not worth a session cache and the tickets sent for it.
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(c, 0);
  return context;
}

TlsContext connecting_context(const ConnectTls& tls) {
  TlsContext context = new_context();
  SSL_CTX* c = context.get();
  if (tls.ca_file.empty())
    check_loaded(SSL_CTX_set_default_verify_paths(c), "csp::Connect", "default CA paths", "");
  else
    check_loaded(SSL_CTX_load_verify_locations(c, tls.ca_file.c_str(), nullptr), "csp::Connect", "CA file",
                 tls.ca_file);
  SSL_CTX_set_verify(c, SSL_VERIFY_PEER, nullptr);
  return context;
}

Tls::Tls(const TlsContext& context)
    : ssl_(SSL_new(context.get())), in_(BIO_new(BIO_s_mem())), out_(BIO_new(BIO_s_mem())) {
  if (!ssl_ || !in_ || !out_) {
    SSL_free(ssl_);
    BIO_free(in_);
    BIO_free(out_);
    throw std::bad_alloc();
  }
  BIO_set_mem_eof_return(in_, -1);  // drained: wait for more, not the end of the stream
  SSL_set_bio(ssl_, in_, out_);
}

std::unique_ptr<Tls> Tls::serving(const TlsContext& context) {
  std::unique_ptr<Tls> tls(new Tls(context));
  SSL_set_accept_state(tls->ssl_);
  return tls;
}

std::unique_ptr<Tls> Tls::connecting(const TlsContext& context, const std::string& host) {
  std::unique_ptr<Tls> tls(new Tls(context));
  SSL_set_connect_state(tls->ssl_);
  X509_VERIFY_PARAM* param = SSL_get0_param(tls->ssl_);
  if (!X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) &&
      (!X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0) || !SSL_set_tlsext_host_name(tls->ssl_, host.c_str())))
    throw std::runtime_error(fmt::format("cannot verify host '{}': {}", host, last_error()));
  ERR_clear_error();  // what the IP address parser left for a host name
  return tls;
}

Tls::~Tls() { SSL_free(ssl_); }

void Tls::feed(std::span<const std::byte> ciphertext) {
  if (!ciphertext.empty() && BIO_write(in_, ciphertext.data(), static_cast<int>(ciphertext.size())) <= 0)
    throw std::bad_alloc();
}

bool Tls::handshake() {
  ERR_clear_error();
  int result = SSL_do_handshake(ssl_);
  if (result == 1) return true;
  if (SSL_get_error(ssl_, result) == SSL_ERROR_WANT_READ) return false;
  fail(result);
}

std::optional<std::size_t> Tls::read(std::span<std::byte> plaintext) {
  ERR_clear_error();
  std::size_t n = 0;
  int result = SSL_read_ex(ssl_, plaintext.data(), plaintext.size(), &n);
  if (result == 1) return n;
  switch (SSL_get_error(ssl_, result)) {
    case SSL_ERROR_WANT_READ:
      return 0;
    case SSL_ERROR_ZERO_RETURN:
      return std::nullopt;
    default:
      fail(result);
  }
}

bool Tls::write(std::span<const std::byte> plaintext) {
  if (plaintext.empty()) return true;
  ERR_clear_error();
  std::size_t n = 0;
  if (SSL_write_ex(ssl_, plaintext.data(), plaintext.size(), &n) == 1) return true;
  ERR_clear_error();
  return false;
}

void Tls::close() noexcept {
  // Not after a failure: OpenSSL forbids it, and there is nobody to tell.
  if (SSL_is_init_finished(ssl_)) SSL_shutdown(ssl_);
  ERR_clear_error();
}

std::span<const std::byte> Tls::output() const noexcept {
  char* data = nullptr;
  long size = BIO_get_mem_data(out_, &data);
  return {reinterpret_cast<const std::byte*>(data), static_cast<std::size_t>(size)};
}

void Tls::clear_output() noexcept { (void)BIO_reset(out_); }

void Tls::fail(int result) const {
  std::string reason;
  if (long verified = SSL_get_verify_result(ssl_); verified != X509_V_OK)
    reason = fmt::format("certificate verify failed: {}", X509_verify_cert_error_string(verified));
  else if (SSL_get_error(ssl_, result) == SSL_ERROR_SSL)
    reason = last_error();
  else
    reason = "the connection failed";
  ERR_clear_error();
  throw std::runtime_error(reason);
}

}  // namespace csp::detail
