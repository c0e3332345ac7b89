// The untyped half of a channel: its lock, its queues of waiting requests, join counts,
// retire and poison. ChannelCore<T> adds the message transfer on top.
#pragma once

#include <cstddef>
#include <mutex>  // lock guards
#include <string>
#include <vector>

#include "csp/detail/lazy_name.hpp"
#include "csp/detail/request.hpp"
#include "csp/detail/spin_lock.hpp"

namespace csp::detail {

/// Which side a poison or retire came from.
enum class Side : bool { reader, writer };

class ChannelBase {
 public:
  explicit ChannelBase(std::string name);
  ChannelBase(const ChannelBase&) = delete;
  ChannelBase& operator=(const ChannelBase&) = delete;
  virtual ~ChannelBase();

  const std::string& name() const;
  /// Messages the buffer holds at most (0: rendezvous).
  virtual std::size_t capacity() const noexcept = 0;

  void join(Side side);
  void leave(Side side);
  void poison(Side side);
  /// The owning Channel object went away: every waiting and later operation fails.
  void destroy();
  /// Takes `r` out of its queue if it is still there.
  void withdraw(Request& r);

  /// Current joins and queue lengths, for diagnostics.
  struct Stats {
    int readers, writers;
    std::size_t waiting_readers, waiting_writers, buffered;
    bool poisoned, retired;
  };
  Stats stats() const;

 protected:
  /// A buffer size that fits the ring's 32-bit counters, or csp::Error naming the channel.
  std::uint32_t checked_capacity(std::size_t capacity) const;
  static std::string describe_read(const void* channel);
  static std::string describe_write(const void* channel);
  // Called with mutex_ held. Return the reason an operation cannot start, or Outcome::done.
  Outcome write_blocked() const noexcept;
  Outcome read_blocked(bool buffer_empty) const noexcept;
  /// What a core standing in for a channel of another process must hear about; a local
  /// channel ignores it. `queued` and `withdrawn` come with mutex_ held and the request.
  enum class Event : std::uint8_t { queued, withdrawn, joined, left, poisoned, destroyed };
  virtual void remote_event(Event, Side, Request*) {}
  /// Names the channel without registering the name (a stand-in for a remote channel).
  void label(std::string name) { name_.set(std::move(name)); }
  // Fails every request in `q` with `outcome`; their contexts go to `wake`.
  static void fail_all(RequestQueue& q, Outcome outcome, std::vector<Context*>& wake);
  virtual std::size_t buffered() const noexcept = 0;
  virtual void clear_buffer() noexcept = 0;

  RequestQueue readers_;
  RequestQueue writers_;

 private:
  LazyName name_;
  int readers_joined_ = 0;
  int writers_joined_ = 0;

 protected:
  // The lock and the flags share one word, and the derived core's fields may use the rest.
  mutable SpinLock mutex_;  // mutable for stats()

 private:
  bool named_;  // registered under a name the user gave
  bool readers_retired_ = false;
  bool writers_retired_ = false;
  bool poisoned_ = false;
  bool poisoned_by_writer_ = false;  // readers may still drain the buffer
  bool destroyed_ = false;
};

/// Registers `name` as taken (throws csp::Error if it is); an empty name stays anonymous.
void claim_channel_name(const std::string& name);
void release_channel_name(const std::string& name) noexcept;

}  // namespace csp::detail
