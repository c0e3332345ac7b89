// csp::Pipe<T> (Python's multiprocessing.Pipe): two connected ends, duplex or one-way, whose
// buffers an owner actor keeps, also for the ends passed to multiprocess children.
#pragma once

#include <array>
#include <chrono>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include "csp/errors.hpp"
#include "csp/shared/detail/owner.hpp"
#include "csp/shared/detail/served.hpp"
#include "csp/shared/detail/wait_queue.hpp"

namespace csp {

/// recv() on a connection whose other end has closed, with nothing left to receive (Python's
/// EOFError).
class EOFError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

/// "'<pipe>': <what>", for misuse of a connection.
Error pipe_error(const std::string& pipe, const char* what);
/// The EOFError of `pipe`.
EOFError pipe_eof(const std::string& pipe);

/// Two directions: end `s` sends into buffer `s` and receives from buffer `1 - s`. An end is a
/// bool, so that a request from another OS process cannot name a third.
template <class T>
class PipeState {
 public:
  explicit PipeState(std::string name) : name_(std::move(name)) {}

  struct Send {
    using result = void;
    bool side;
    T item;
  };
  /// Puts `item` back for end `side` to receive first (an interrupted receiver's, or one
  /// answered to a child that had gone).
  struct Unrecv {
    using result = void;
    bool side;
    T item;
  };
  struct Recv {
    using result = T;
    bool side;
    Unrecv undo(T& item) const { return {side, std::move(item)}; }
  };
  /// Whether end `side` can receive without waiting (a message, or the end of the stream);
  /// with `wait`, answered once it can.
  struct Poll {
    using result = bool;
    bool side;
    bool wait;
  };
  struct Close {
    using result = void;
    bool side;
  };
  using remote_ops = std::tuple<Send, Recv, Poll, Close>;
  static constexpr bool holds_messages = message<T>;
  static const std::string& type_name() {
    static const std::string name = compose("Pipe", {message_name<T>()});
    return name;
  }

  void handle(Send& op) {
    if (closed_[op.side]) throw pipe_error(name_, "send on a closed connection");
    if (closed_[1 - op.side]) throw pipe_error(name_, "send to a connection whose other end is closed");
    deliver(1 - op.side, op.item, false);
  }
  void handle(Unrecv& op) { deliver(op.side, op.item, true); }
  void handle(Recv& op, Reply<T>& reply) {
    check_open(op.side);
    auto& in = buffer_[1 - op.side];
    if (!in.empty()) {
      reply.answer_with([&] {
        T v = std::move(in.front());
        in.pop_front();
        return v;
      });
    } else if (closed_[1 - op.side]) {
      throw pipe_eof(name_);
    } else {
      receivers_[op.side].push(reply);
    }
  }
  void handle(Poll& op, Reply<bool>& reply) {
    check_open(op.side);
    if (ready(op.side) || !op.wait) reply.answer(ready(op.side));
    else pollers_[op.side].push(reply);
  }
  void handle(Close& op) {
    if (closed_[op.side]) return;
    closed_[op.side] = true;
    bool peer = !op.side;
    // The peer's receivers wait only on an empty buffer: that is now the end of the stream.
    for (auto& r : receivers_[peer].drain()) r.fail(std::make_exception_ptr(pipe_eof(name_)));
    for (auto& p : pollers_[peer].drain()) p.answer(true);
    auto closed = [this] { return std::make_exception_ptr(pipe_error(name_, "connection closed")); };
    for (auto& r : receivers_[op.side].drain()) r.fail(closed());
    for (auto& p : pollers_[op.side].drain()) p.fail(closed());
  }

  const std::string& name() const noexcept { return name_; }

 private:
  void check_open(bool side) const {
    if (closed_[side]) throw pipe_error(name_, "receive on a closed connection");
  }
  bool ready(bool side) const noexcept { return !buffer_[1 - side].empty() || closed_[1 - side]; }
  /// Hands `item` to a receiver waiting at end `side`, or buffers it for that end (at the front
  /// for an item given back), and tells its pollers.
  void deliver(bool side, T& item, bool front) {
    if (!give(side, item)) {
      auto& in = buffer_[1 - side];
      if (front) in.push_front(std::move(item));
      else in.push_back(std::move(item));
    }
    for (auto& p : pollers_[side].drain()) p.answer(true);
  }
  /// Hands `item` to the first receiver waiting at end `side`; false (untouched) if none.
  bool give(bool side, T& item) {
    while (receivers_[side].front())
      if (receivers_[side].take().answer_with([&] { return std::move(item); })) return true;
    return false;
  }

  std::string name_;
  std::array<bool, 2> closed_{};
  std::array<std::deque<T>, 2> buffer_;
  std::array<WaitQueue<Reply<T>>, 2> receivers_;
  std::array<WaitQueue<Reply<bool>>, 2> pollers_;
};

/// Closes its end when the last copy of a connection made by Pipe() goes away.
template <class T>
struct PipeCloser {
  PipeCloser(std::shared_ptr<Object<PipeState<T>>> object, bool side) : object(std::move(object)), side(side) {}
  std::shared_ptr<Object<PipeState<T>>> object;
  bool side;
  ~PipeCloser() { post(object, typename PipeState<T>::Close{side}); }
};

}  // namespace detail

/// One end of a Pipe. Copies share the end; it closes when close() is called or the last copy
/// goes away, and the other end then sees EOFError once it has received everything sent.
///
/// An end passed to a multiprocess child stays here, its buffer with it: the child's connection
/// has the same side and direction, and its send, recv, poll and close are requests to this
/// end. An item answered to a child that has gone (killed while it waits in recv) goes back to
/// the head of what the end receives. The child's close() closes the end for every copy, here
/// too; its copies going away close nothing, as in Python, where the child's descriptor is its
/// own. The child's Process keeps the copy it was given until the Process goes: where Python's
/// parent closes its child_conn after start(), let the copies here go instead (close() would
/// close the end for the child too); once the last has gone, the end closes.
template <class T>
class Connection : public detail::Handle<detail::PipeState<T>> {
  using State = detail::PipeState<T>;

 public:
  /// Sends `item` to the other end (never waits: the pipe buffers).
  void send(T item) const {
    if (!writable_) throw detail::pipe_error(name(), "send on a receive-only connection");
    this->call(typename State::Send{side_, std::move(item)});
  }
  /// The next item from the other end, parking until there is one; EOFError once the other end
  /// has closed and everything has been received.
  T recv() const {
    check_readable();
    return this->call(typename State::Recv{side_});
  }
  /// Whether recv() would not wait now.
  bool poll() const {
    check_readable();
    return this->call(typename State::Poll{side_, false});
  }
  /// Whether recv() would not wait, waiting at most `timeout` for it.
  template <class Rep, class Period>
  bool poll(std::chrono::duration<Rep, Period> timeout) const {
    check_readable();
    // A last try: data may have been there at the deadline and the owner slow to answer.
    return this->call_until(typename State::Poll{side_, true}, detail::deadline_after(timeout))
               .value_or(false) ||
           poll();
  }
  /// Closes this end for every copy (in a multiprocess child too: the parent's end closes).
  void close() const { this->call(typename State::Close{side_}); }
  bool readable() const noexcept { return readable_; }
  bool writable() const noexcept { return writable_; }
  const std::string& name() const noexcept { return this->state().name(); }

  /// What sets this end apart from the other end of its pipe: what a connection in a
  /// multiprocess child is made with, after its owner (see detail::remote_handle).
  std::tuple<bool, bool, bool> local_part() const noexcept { return {side_, readable_, writable_}; }

 private:
  template <class U>
  friend std::pair<Connection<U>, Connection<U>> Pipe(bool duplex);
  template <detail::servable H>
  friend H detail::remote_handle(std::shared_ptr<const detail::RemoteObject> remote);

  Connection(std::shared_ptr<detail::Object<State>> object, bool side, bool readable, bool writable)
      : detail::Handle<State>(object),
        closer_(std::make_shared<detail::PipeCloser<T>>(std::move(object), side)),
        side_(side),
        readable_(readable),
        writable_(writable) {}
  /// An end lent to this multiprocess child, whose requests go to the parent's end: no copy of
  /// it closes the end by going away (`origin`'s owner refuses every request that does not
  /// cross).
  Connection(detail::Origin origin, bool side, bool readable, bool writable)
      : detail::Handle<State>(std::move(origin), "Pipe"),
        side_(side),
        readable_(readable),
        writable_(writable) {}
  void check_readable() const {
    if (!readable_) throw detail::pipe_error(name(), "receive on a send-only connection");
  }

  std::shared_ptr<detail::PipeCloser<T>> closer_;  // null in a multiprocess child
  bool side_;
  bool readable_;
  bool writable_;
};

/// Two connected ends. Duplex: both send and receive. One-way (`duplex` false): the first only
/// receives, the second only sends, as in Python.
template <class T>
std::pair<Connection<T>, Connection<T>> Pipe(bool duplex = true) {
  using State = detail::PipeState<T>;
  auto object =
      std::make_shared<detail::Object<State>>(detail::make_owner(), detail::object_name("Pipe"));
  return {Connection<T>(object, false, true, duplex), Connection<T>(object, true, duplex, true)};
}

}  // namespace csp
