// The wire protocol between a served runtime and its peers: length-prefixed frames whose length
// is checked before anything is allocated, and the challenge-response that admits a peer.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tls.hpp"

namespace csp::detail::wire {

enum class Kind : std::uint8_t {
  hello = 1,  // server -> peer: challenge nonce
  auth,       // peer -> server: HMAC of the nonce
  welcome,    // server -> peer: admitted
  open,       // peer: join channel `id` (tail: name, type); server: opened / refused
  opened,     // tail: the channel's capacity (to an open); to an attach, the object's name and
              // its local part (what a handle is made with), whose shared objects (a condition's
              // lock) are lent as parts: numbers to attach each once on this connection
  refused,    // tail: the reason
  join,       // seq: side
  leave,
  poison,
  read,       // seq: the peer's operation
  write,      // tail: the message
  cancel,     // peer: withdraw operation `seq` on channel `id`, or request `seq` to object `id`;
              // server: request `seq` withdrawn unanswered
  close,
  value,      // server: a read received (tail: the message)
  ended,      // server: an operation ended (tail: one byte, the Outcome)
  attach,     // peer: use shared object `id` (tail: manager, object, type), or with `seq` not 0
              // the part `seq` lent by an earlier opened (tail: "", "", type); server: opened /
              // refused
  call,       // peer: a request `seq` to object `id` (tail: the request)
  answer,     // server: request `seq` answered (tail: the answer)
  failed,     // server: request `seq` failed (tail: the error's message)
  abandon,    // peer: its process `seq` (a caller_id()) failed (tail: its name): its locks go free
  held,       // server: request `seq` answered with what it took from the object (tail: the
              // answer, such as a queue item), held until the peer says `taken` or `returned`; a
              // peer gone first gives it back
  taken,      // peer: the caller of request `seq` took its held answer, before using it
  returned,   // peer: the caller of request `seq` gave up: its held answer goes back
};

/// Frames before admission are tiny; after it, a message may take up to max_frame bytes.
constexpr std::uint32_t max_handshake_frame = 64;
constexpr std::uint32_t max_frame = 64u << 20;
/// What may wait for a peer before its senders wait too: one largest frame.
constexpr std::size_t max_backlog = max_frame;
/// How long a peer may take nothing while its senders wait, or while its socket closes, before
/// it is dropped, unless its socket is given another patience.
constexpr std::chrono::milliseconds peer_patience = std::chrono::seconds(10);
constexpr std::size_t nonce_size = 32;

/// A malformed or oversized frame: the connection is dropped.
class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Frame {
  Kind kind;
  std::uint32_t id;
  std::uint64_t seq;
  std::span<const std::byte> tail;
};

/// A connected TCP socket carrying frames; sends from any thread, receives from one.
/// Receives read as many bytes as have arrived; while the receiving thread still holds whole
/// frames it has not handed out, the frames it sends wait, and leave in one write when it has
/// handled them all (the replies to a burst of requests cost one system call).
/// Sends do not block on the peer: what the kernel cannot take now waits in a backlog that a
/// thread of the socket's own writes out as the peer reads, so a peer that stops reading holds
/// up no sender (an owner answering everyone, a worker running processes). Only beyond
/// max_backlog bytes do senders wait for it, and a peer that then takes nothing for the
/// socket's patience is dropped.
/// Over TLS, the socket still makes its own system calls (the receiving thread waits for
/// ciphertext holding no lock); the TLS engine encrypts and decrypts under the send lock.
class Socket {
 public:
  explicit Socket(int fd, std::chrono::milliseconds patience = peer_patience) noexcept
      : fd_(fd), patience_(patience) {}
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket();

  /// Runs the TLS handshake (blocking, before any frame), after which every frame is carried
  /// by `tls`; ProtocolError "TLS handshake failed: <why>".
  void start_tls(std::unique_ptr<Tls> tls);

  /// Sends one frame (after those queued), or queues it behind the receiving thread's burst;
  /// false once the connection is broken.
  bool send(Kind kind, std::uint32_t id, std::uint64_t seq, std::span<const std::byte> tail = {});
  /// Queues one frame, to leave with the next send() or flush().
  void send_later(Kind kind, std::uint32_t id, std::uint64_t seq, std::span<const std::byte> tail);
  /// Sends the queued frames.
  void flush();
  /// The next frame, valid until the next call; false at an orderly end of the stream.
  /// ProtocolError for a frame over `limit` bytes or malformed, std::system_error on errors.
  bool receive(Frame& frame, std::uint32_t limit);
  /// Sends the queued frames (waiting for the backlog to leave while the peer takes some of it
  /// within its patience), then wakes a blocked receive() with the end of the stream; sends fail
  /// from now on.
  void shutdown() noexcept;
  /// Ends the connection at once, as this OS process's death would: queued frames are dropped,
  /// and blocked sends and receives fail. Takes no lock: a send blocked on a peer that does not
  /// read cannot hold it up.
  void abort() noexcept;
  /// Whether the peer has closed its end (or the connection is broken) by now: what is sent
  /// from now on would go nowhere.
  bool peer_gone() const noexcept;
  /// Receives time out after `seconds` (0: never).
  void receive_timeout(int seconds) noexcept;

 private:
  /// The length field of the next frame, once its bytes are in.
  std::optional<std::uint32_t> next_length() const noexcept;
  /// Whether all of the next frame is in; ProtocolError if its length is not allowed.
  bool whole_frame(std::uint32_t limit) const;
  // These with send_mutex_ held (or before the receiving thread starts).
  void queue(Kind kind, std::uint32_t id, std::uint64_t seq, std::span<const std::byte> tail);
  bool send_queued();
  /// Writes what the kernel takes now, and leaves the rest to the backlog.
  bool send_all(std::span<const std::byte> bytes);
  bool to_backlog(std::span<const std::byte> bytes);
  /// The backlog's thread: writes it out as the peer reads.
  void drain() noexcept;
  /// Waits until the backlog holds at most `limit` bytes, or the peer has taken nothing of it
  /// for the socket's patience: it is then dropped (logged with `why`). Whether the socket still works.
  bool wait_for_peer(std::size_t limit, const char* why);
  void drop(const std::string& why) noexcept;
  bool send_tls(std::span<const std::byte> plaintext);
  bool send_tls_output();
  /// Polls the socket for input for idle_spin() before a receive sleeps in recv(2).
  void spin_for_input() const noexcept;
  /// Like recv(2) into `plaintext`, through the TLS engine.
  ssize_t receive_tls(std::span<std::byte> plaintext);

  int fd_;
  std::chrono::milliseconds patience_;
  std::mutex send_mutex_;      // also guards tls_
  bool holding_ = false;       // the receiving thread has frames left: its sends wait in out_
  std::thread::id receiver_;
  std::vector<std::byte> out_;  // frames queued, in order
  std::vector<std::byte> backlog_;  // bytes the kernel has not taken yet, from backlog_begin_
  std::size_t backlog_begin_ = 0;
  std::uint64_t taken_ = 0;  // bytes of the backlog the kernel took, ever
  bool draining_ = false;    // drainer_ runs
  bool broken_ = false;
  std::condition_variable_any taken_some_;  // waits on send_mutex_
  std::thread drainer_;
  std::vector<std::byte> in_;  // bytes received; those from in_begin_ to in_end_ not handed out
  std::size_t in_begin_ = 0;
  std::size_t in_end_ = 0;
  std::unique_ptr<Tls> tls_;     // none: plain TCP
  std::vector<std::byte> cipher_;  // ciphertext received, for tls_ to take
};

/// A fresh random challenge.
std::vector<std::byte> make_nonce();
/// The proof that a peer knows `key`: HMAC-SHA256(key, nonce).
std::vector<std::byte> prove(const std::string& key, std::span<const std::byte> nonce);
/// Constant-time comparison of a proof against the expected one.
bool proof_matches(std::span<const std::byte> expected, std::span<const std::byte> got) noexcept;

/// "host:port" of the socket's peer.
std::string peer_name(int fd);

/// Writes one line to stderr: "csp: <what>".
void log(const std::string& what) noexcept;

}  // namespace csp::detail::wire
