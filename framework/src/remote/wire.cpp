// Frames over a TCP socket (plain or through TLS) and the HMAC challenge-response; see wire.hpp.

#include "wire.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#include "csp/detail/idle_spin.hpp"

namespace csp::detail::wire {

namespace {

constexpr std::size_t header_size = 1 + 4 + 8;  // kind, id, seq
constexpr std::size_t receive_chunk = 64 << 10;  // what one recv() may take in at most

}  // namespace

Socket::~Socket() {
  {
    std::lock_guard lock(send_mutex_);
    wait_for_peer(0, "did not take what was left to send");
  }
  if (drainer_.joinable()) drainer_.join();
  ::close(fd_);
}

void Socket::queue(Kind kind, std::uint32_t id, std::uint64_t seq, std::span<const std::byte> tail) {
  if (tail.size() > max_frame - header_size)
    throw ProtocolError(fmt::format("a message of {} bytes is over the limit of {}", tail.size(), max_frame));
  auto length = static_cast<std::uint32_t>(header_size + tail.size());
  std::size_t at = out_.size();
  out_.resize(at + 4 + header_size);
  std::memcpy(out_.data() + at, &length, 4);
  out_[at + 4] = static_cast<std::byte>(kind);
  std::memcpy(out_.data() + at + 5, &id, 4);
  std::memcpy(out_.data() + at + 9, &seq, 8);
  out_.insert(out_.end(), tail.begin(), tail.end());
}

bool Socket::send(Kind kind, std::uint32_t id, std::uint64_t seq, std::span<const std::byte> tail) {
  std::lock_guard lock(send_mutex_);
  queue(kind, id, seq, tail);
  // Only the receiving thread's own replies wait for its burst: another thread may be about
  // to leave the process, say.
  return (holding_ && std::this_thread::get_id() == receiver_) || send_queued();
}

void Socket::send_later(Kind kind, std::uint32_t id, std::uint64_t seq, std::span<const std::byte> tail) {
  std::lock_guard lock(send_mutex_);
  queue(kind, id, seq, tail);
}

void Socket::flush() {
  std::lock_guard lock(send_mutex_);
  send_queued();
}

bool Socket::send_queued() {
  bool sent = tls_ ? send_tls(out_) : send_all(out_);
  out_.clear();
  if (out_.capacity() > receive_chunk) out_.shrink_to_fit();  // after a large message
  return sent;
}

bool Socket::send_all(std::span<const std::byte> bytes) {
  if (broken_) return false;
  if (draining_) return to_backlog(bytes);  // after what waits there
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) bytes = bytes.subspan(static_cast<std::size_t>(n));
    else if (errno == EAGAIN || errno == EWOULDBLOCK) return to_backlog(bytes);
    else if (errno != EINTR) return !(broken_ = true);
  }
  return true;
}

bool Socket::to_backlog(std::span<const std::byte> bytes) {
  backlog_.insert(backlog_.end(), bytes.begin(), bytes.end());
  if (!draining_) {
    if (drainer_.joinable()) drainer_.join();  // it ended when it last emptied the backlog
    try {
      drainer_ = std::thread([this] { drain(); });
    } catch (const std::system_error&) {
      drop("no thread to write to it");
      return false;
    }
    draining_ = true;
  }
  return wait_for_peer(max_backlog, "took nothing of what waits for it");
}

bool Socket::wait_for_peer(std::size_t limit, const char* why) {
  while (!broken_ && backlog_.size() - backlog_begin_ > limit) {
    std::uint64_t taken = taken_;
    // On send_mutex_ itself, which every caller holds.
    if (!taken_some_.wait_for(send_mutex_, patience_, [&] { return broken_ || taken_ != taken; })) {
      drop(fmt::format("it {} for {:g} s ({} MiB)", why, std::chrono::duration<double>(patience_).count(),
                       (backlog_.size() - backlog_begin_) >> 20));
      return false;
    }
  }
  return !broken_;
}

void Socket::drop(const std::string& why) noexcept {
  log(fmt::format("dropped peer {}: {}", peer_name(fd_), why));
  broken_ = true;
  ::shutdown(fd_, SHUT_RDWR);  // its receiving thread sees the end, and the drainer stops
}

void Socket::drain() noexcept {
  std::unique_lock lock(send_mutex_);
  while (!broken_ && backlog_begin_ < backlog_.size()) {
    lock.unlock();
    pollfd p{fd_, POLLOUT, 0};
    ::poll(&p, 1, -1);  // also wakes when the connection ends
    lock.lock();
    ssize_t n = ::send(fd_, backlog_.data() + backlog_begin_, backlog_.size() - backlog_begin_,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      backlog_begin_ += static_cast<std::size_t>(n);
      taken_ += static_cast<std::uint64_t>(n);
      if (backlog_begin_ > backlog_.size() / 2) {  // what stays moves down once it is the lesser half
        backlog_.erase(backlog_.begin(), backlog_.begin() + static_cast<std::ptrdiff_t>(backlog_begin_));
        backlog_begin_ = 0;
      }
      taken_some_.notify_all();
    } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      broken_ = true;
    }
  }
  backlog_.clear();
  backlog_.shrink_to_fit();
  backlog_begin_ = 0;
  draining_ = false;
  taken_some_.notify_all();
}

bool Socket::send_tls(std::span<const std::byte> plaintext) {
  // A chunk at a time: a large message is not held twice, once encrypted.
  for (std::size_t done = 0; done < plaintext.size(); done += receive_chunk)
    if (!tls_->write(plaintext.subspan(done, std::min(receive_chunk, plaintext.size() - done))) ||
        !send_tls_output())
      return false;
  return true;
}

bool Socket::send_tls_output() {
  bool sent = send_all(tls_->output());
  tls_->clear_output();
  return sent;
}

void Socket::start_tls(std::unique_ptr<Tls> tls) {
  tls_ = std::move(tls);
  cipher_.resize(receive_chunk);
  try {
    for (;;) {
      bool done = tls_->handshake();
      if (!send_tls_output()) throw std::runtime_error("the connection closed");
      if (done) return;
      ssize_t r = ::recv(fd_, cipher_.data(), cipher_.size(), 0);
      if (r > 0) tls_->feed(std::span(cipher_).first(static_cast<std::size_t>(r)));
      else if (r == 0) throw std::runtime_error("the connection closed");
      else if (errno == EAGAIN) throw std::runtime_error("no answer in time (a peer without TLS?)");
      else if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "receive");
    }
  } catch (const std::exception& e) {
    send_tls_output();  // an alert saying why, if the engine wrote one
    throw ProtocolError(fmt::format("TLS handshake failed: {}", e.what()));
  }
}

ssize_t Socket::receive_tls(std::span<std::byte> plaintext) {
  for (std::size_t fed = 0;;) {
    {
      std::lock_guard lock(send_mutex_);
      tls_->feed(std::span(cipher_).first(fed));
      std::optional<std::size_t> n = tls_->read(plaintext);
      send_tls_output();  // TLS 1.3 may answer what it reads (a key update)
      if (!n) return 0;  // the peer closed
      if (*n > 0) return static_cast<ssize_t>(*n);
    }
    spin_for_input();
    ssize_t r = ::recv(fd_, cipher_.data(), cipher_.size(), 0);
    if (r <= 0) return r;
    fed = static_cast<std::size_t>(r);
  }
}

std::optional<std::uint32_t> Socket::next_length() const noexcept {
  if (in_end_ - in_begin_ < 4) return std::nullopt;
  std::uint32_t length;
  std::memcpy(&length, in_.data() + in_begin_, 4);
  return length;
}

bool Socket::whole_frame(std::uint32_t limit) const {
  std::optional<std::uint32_t> length = next_length();
  if (!length) return false;
  if (*length < header_size) throw ProtocolError(fmt::format("a frame of {} bytes is too short", *length));
  if (*length > limit)
    throw ProtocolError(fmt::format("a frame of {} bytes is over the limit of {}", *length, limit));
  return in_end_ - in_begin_ - 4 >= *length;
}

bool Socket::receive(Frame& frame, std::uint32_t limit) {
  while (!whole_frame(limit)) {
    {
      std::lock_guard lock(send_mutex_);
      holding_ = false;
      send_queued();  // nothing waits to be sent while this waits for the peer
    }
    // Room for the whole frame once its length is known (and checked), and a chunk at least.
    std::size_t need = 4 + next_length().value_or(0);
    if (in_begin_ > 0) {
      std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
      in_end_ -= in_begin_;
      in_begin_ = 0;
    }
    if (in_.size() < std::max(need, receive_chunk)) in_.resize(std::max(need, receive_chunk));
    std::span<std::byte> room = std::span(in_).subspan(in_end_);
    if (!tls_) spin_for_input();
    ssize_t r = tls_ ? receive_tls(room) : ::recv(fd_, room.data(), room.size(), 0);
    if (r > 0) {
      in_end_ += static_cast<std::size_t>(r);
    } else if (r == 0) {
      if (in_end_ == 0) return false;
      throw ProtocolError(fmt::format("connection ended inside a frame ({} of {} bytes)", in_end_, need));
    } else if (errno != EINTR) {
      throw std::system_error(errno, std::generic_category(), "receive");
    }
  }
  std::uint32_t length = *next_length();
  const std::byte* at = in_.data() + in_begin_ + 4;
  in_begin_ += 4 + length;
  if (in_begin_ == in_end_) in_begin_ = in_end_ = 0;
  auto kind = static_cast<std::uint8_t>(at[0]);
  if (kind < static_cast<std::uint8_t>(Kind::hello) || kind > static_cast<std::uint8_t>(Kind::returned))
    throw ProtocolError(fmt::format("a frame of unknown kind {}", kind));
  frame.kind = static_cast<Kind>(kind);
  std::memcpy(&frame.id, at + 1, 4);
  std::memcpy(&frame.seq, at + 5, 8);
  frame.tail = std::span<const std::byte>(at + header_size, length - header_size);
  if (std::optional<std::uint32_t> next = next_length(); next && in_end_ - in_begin_ - 4 >= *next) {
    std::lock_guard lock(send_mutex_);
    holding_ = true;
    receiver_ = std::this_thread::get_id();
  }
  return true;
}

void Socket::shutdown() noexcept {
  std::lock_guard lock(send_mutex_);
  send_queued();  // the last frames (a retire, a close) may wait behind a burst
  if (tls_) {
    tls_->close();
    send_tls_output();
  }
  wait_for_peer(0, "did not take what was left to send");
  ::shutdown(fd_, SHUT_RDWR);
}

void Socket::abort() noexcept { ::shutdown(fd_, SHUT_RDWR); }

void Socket::spin_for_input() const noexcept {
  spin_until([this] {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) != 0;
  });
}

bool Socket::peer_gone() const noexcept {
  pollfd p{fd_, POLLRDHUP, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

void Socket::receive_timeout(int seconds) noexcept {
  timeval tv{seconds, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

std::vector<std::byte> make_nonce() {
  // From the kernel, not RAND_bytes: OpenSSL would keep a random generator per session thread,
  // which its exit handler frees while nothing orders that with the thread's last use.
  std::vector<std::byte> nonce(nonce_size);
  if (::getrandom(nonce.data(), nonce.size(), 0) != static_cast<ssize_t>(nonce.size()))
    throw std::runtime_error("csp: no random bytes for the authentication challenge");
  return nonce;
}

std::vector<std::byte> prove(const std::string& key, std::span<const std::byte> nonce) {
  init_openssl();
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
