// A raw TCP peer for the remote tests: sends a server arbitrary bytes (garbage, malformed
// frames) and reports whether the server hung up on it, or whether it refused the connection.
#pragma once

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

namespace remote_test {

/// A socket connected to `port` on loopback, receiving into a kernel buffer of `buffer` bytes
/// if given; -1 (errno says why) if the connection failed.
inline int connect_to(std::uint16_t port, int buffer = 0) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (buffer > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);  // before the handshake
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
  int err = errno;
  ::close(fd);
  errno = err;
  return -1;
}

/// Whether a connection to `port` on loopback is refused (nothing listens there).
inline bool connection_refused(std::uint16_t port) {
  int fd = connect_to(port);
  if (fd < 0) return errno == ECONNREFUSED;
  ::close(fd);
  return false;
}

/// Connects to `port` on loopback, sends `bytes`, ends its side, and waits (3 s at most) for
/// the server to close: true if it did, false on a timeout or no connection.
inline bool server_hangs_up_after(std::uint16_t port, const std::vector<std::uint8_t>& bytes) {
  int fd = connect_to(port);
  if (fd < 0) return false;
  timeval tv{3, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  ::shutdown(fd, SHUT_WR);  // a truncated frame stays truncated
  char buf[256];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) {
  }
  ::close(fd);
  return n == 0;  // orderly close by the server, not our timeout
}

}  // namespace remote_test
