// Fuzz target for the remote wire path: any bytes from a peer, before or after its admission,
// reach a served runtime's real session code over a socket pair. It must end the connection
// without crashing, hanging or leaking, and leave the served channels as a peer's exit would
// (its writes to the buffered one stay until read, as buffered messages do).

#include <sys/socket.h>
#include <unistd.h>

#include <csp/csp.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "server.hpp"
#include "wire.hpp"

namespace {

namespace wire = csp::detail::wire;

const std::string auth_key = "fuzz";

enum class Start : std::uint8_t {
  handshake,  // the bytes are all the peer says, from its first byte
  admitted,   // the peer proves the key, then says the bytes
  opened,     // ... and opens A as id 1 and B as id 2 before them
};

// What a peer that went away may leave on a served channel: nothing waiting, and no join it
// made unless it poisoned the channel (its joins then no longer matter).
void check_left_clean(const csp::detail::ChannelBase& core) {
  csp::detail::ChannelBase::Stats s = core.stats();
  if (s.waiting_readers != 0 || s.waiting_writers != 0) std::abort();
  if (!s.poisoned && (s.readers != 0 || s.writers != 0)) std::abort();
}

// Writes the peer left on a buffered channel count as buffered: its session ends once they are
// read (a poison or retire ends them too).
void drain(const csp::Channel<std::string>& c) {
  auto in = +c;
  try {
    while (csp::PriSelect(csp::InputGuard(in), csp::SkipGuard()).index() == 0) {
    }
  } catch (const csp::ChannelException&) {
  }
  csp::retire(in);
}

void open(wire::Socket& peer, std::uint32_t id, const std::string& name, const std::string& type) {
  std::vector<std::byte> tail;
  csp::detail::encode(std::tuple<std::string, std::string>(name, type), tail);
  peer.send(wire::Kind::open, id, 0, tail);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto start = static_cast<Start>(data[0] % 3);
  std::span<const std::uint8_t> said(data + 1, size - 1);

  csp::Channel<int> a("A");
  csp::Channel<std::string> b("B", csp::Buffer{2});
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) std::abort();
  std::thread session([fd = fds[0]] { csp::detail::serve_connection(fd, auth_key); });
  {
    wire::Socket peer(fds[1]);
    wire::Frame f;
    if (start != Start::handshake) {
      if (!peer.receive(f, wire::max_handshake_frame) || f.kind != wire::Kind::hello) std::abort();
      peer.send(wire::Kind::auth, 0, 0, wire::prove(auth_key, f.tail));
      if (!peer.receive(f, wire::max_handshake_frame) || f.kind != wire::Kind::welcome) std::abort();
    }
    if (start == Start::opened) {
      open(peer, 1, "A", csp::detail::message_name<int>());
      open(peer, 2, "B", csp::detail::message_name<std::string>());
    }
    // Inputs are small (libFuzzer's -max_len), far below what a socket buffers: the session
    // never blocks on its replies while this sends.
    for (std::size_t sent = 0; sent < said.size();) {
      ssize_t n = ::send(fds[1], said.data() + sent, said.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;  // the session hung up already
      sent += static_cast<std::size_t>(n);
    }
    ::shutdown(fds[1], SHUT_WR);
    std::byte sink[4096];
    while (::recv(fds[1], sink, sizeof sink, 0) > 0) {
    }
  }
  drain(b);
  session.join();
  check_left_clean(*csp::detail::find_published("A")->core);
  check_left_clean(*csp::detail::find_published("B")->core);
  return 0;
}
