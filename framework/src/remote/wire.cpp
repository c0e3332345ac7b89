// Frames over a TCP socket and the HMAC challenge-response; see wire.hpp.

#include "wire.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

namespace csp::detail::wire {

namespace {

constexpr std::size_t header_size = 1 + 4 + 8;  // kind, id, seq

// False if the stream ended before the first byte and `may_end`; a later end is an error.
bool read_exact(int fd, void* to, std::size_t n, bool may_end) {
  auto* p = static_cast<char*>(to);
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::recv(fd, p + got, n - got, 0);
    if (r > 0) {
      got += static_cast<std::size_t>(r);
    } else if (r == 0) {
      if (got == 0 && may_end) return false;
      throw ProtocolError(fmt::format("connection ended inside a frame ({} of {} bytes)", got, n));
    } else if (errno != EINTR) {
      throw std::system_error(errno, std::generic_category(), "receive");
    }
  }
  return true;
}

}  // namespace

Socket::~Socket() { ::close(fd_); }

bool Socket::send(Kind kind, std::uint32_t id, std::uint64_t seq, std::span<const std::byte> tail) {
  if (tail.size() > max_frame - header_size)
    throw ProtocolError(fmt::format("a message of {} bytes is over the limit of {}", tail.size(), max_frame));
  unsigned char head[4 + header_size];
  auto length = static_cast<std::uint32_t>(header_size + tail.size());
  std::memcpy(head, &length, 4);
  head[4] = static_cast<unsigned char>(kind);
  std::memcpy(head + 5, &id, 4);
  std::memcpy(head + 9, &seq, 8);
  iovec parts[2] = {{head, sizeof head}, {const_cast<std::byte*>(tail.data()), tail.size()}};
  msghdr msg{};
  msg.msg_iov = parts;
  msg.msg_iovlen = tail.empty() ? 1 : 2;
  std::size_t left = sizeof head + tail.size();
  std::lock_guard lock(send_mutex_);
  while (left > 0) {
    ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    left -= static_cast<std::size_t>(n);
    for (auto done = static_cast<std::size_t>(n); done > 0;) {  // skip what was sent
      std::size_t step = std::min(done, msg.msg_iov->iov_len);
      msg.msg_iov->iov_base = static_cast<char*>(msg.msg_iov->iov_base) + step;
      msg.msg_iov->iov_len -= step;
      done -= step;
      if (msg.msg_iov->iov_len == 0 && msg.msg_iovlen > 1) {
        ++msg.msg_iov;
        --msg.msg_iovlen;
      }
    }
  }
  return true;
}

bool Socket::receive(Frame& frame, std::uint32_t limit) {
  std::uint32_t length;
  if (!read_exact(fd_, &length, 4, true)) return false;
  if (length < header_size) throw ProtocolError(fmt::format("a frame of {} bytes is too short", length));
  if (length > limit)
    throw ProtocolError(fmt::format("a frame of {} bytes is over the limit of {}", length, limit));
  in_.resize(length);
  read_exact(fd_, in_.data(), length, false);
  auto kind = static_cast<std::uint8_t>(in_[0]);
  if (kind < static_cast<std::uint8_t>(Kind::hello) || kind > static_cast<std::uint8_t>(Kind::ended))
    throw ProtocolError(fmt::format("a frame of unknown kind {}", kind));
  frame.kind = static_cast<Kind>(kind);
  std::memcpy(&frame.id, in_.data() + 1, 4);
  std::memcpy(&frame.seq, in_.data() + 5, 8);
  frame.tail = std::span<const std::byte>(in_).subspan(header_size);
  return true;
}

void Socket::shutdown() noexcept { ::shutdown(fd_, SHUT_RDWR); }

void Socket::receive_timeout(int seconds) noexcept {
  timeval tv{seconds, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

std::vector<std::byte> make_nonce() {
  std::vector<std::byte> nonce(nonce_size);
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), static_cast<int>(nonce.size())) != 1)
    throw std::runtime_error("csp: no random bytes for the authentication challenge");
  return nonce;
}

std::vector<std::byte> prove(const std::string& key, std::span<const std::byte> nonce) {
  std::vector<std::byte> mac(EVP_MAX_MD_SIZE);
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(nonce.data()), nonce.size(),
       reinterpret_cast<unsigned char*>(mac.data()), &size);
  mac.resize(size);
  return mac;
}

bool proof_matches(std::span<const std::byte> expected, std::span<const std::byte> got) noexcept {
  return expected.size() == got.size() && CRYPTO_memcmp(expected.data(), got.data(), got.size()) == 0;
}

std::string peer_name(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "?";
  char host[INET6_ADDRSTRLEN] = "?";
  unsigned port = 0;
  if (addr.ss_family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    port = ntohs(a->sin6_port);
  }
  return fmt::format("{}:{}", host, port);
}

void log(const std::string& what) noexcept {
  std::fprintf(stderr, "csp: %s\n", what.c_str());
}

}  // namespace csp::detail::wire
