// csp::Queue<T> (Python's multiprocessing.Queue and JoinableQueue): a FIFO shared by processes,
// bounded or not, owned by an owner actor that parks getters while it is empty, putters while it
// is full, and joiners while some item put has not had its task done.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "csp/errors.hpp"
#include "csp/shared/detail/owner.hpp"
#include "csp/shared/detail/wait_queue.hpp"

namespace csp {

namespace detail {

/// The csp::Error for a request a closed queue refuses: "'<name>' is closed<detail>".
Error closed_error(const std::string& name, const char* detail);

template <class T>
class QueueState {
 public:
  QueueState(std::string name, std::size_t maxsize) : name_(std::move(name)), maxsize_(maxsize) {}

  /// Puts `item` back at the head (an interrupted getter's).
  struct Unget {
    using result = void;
    std::optional<T> item;
  };
  /// True once queued; false if full and not `blocking`.
  struct Put {
    using result = bool;
    T item;
    bool blocking;
  };
  /// The head; empty if the queue is empty and not `blocking`.
  struct Get {
    using result = std::optional<T>;
    bool blocking;
    Unget undo(std::optional<T>& item) const { return {std::move(item)}; }
  };
  struct Size {
    using result = std::size_t;
  };
  struct Close {
    using result = void;
  };
  /// One item's task is done; csp::Error if every item put has had its task done already.
  struct TaskDone {
    using result = void;
  };
  /// Answered once every item put has had its task done.
  struct Join {
    using result = void;
  };
  using remote_ops = std::tuple<Put, Get, Size, Close, TaskDone, Join>;
  static constexpr bool holds_messages = message<T>;
  static const std::string& type_name() {
    static const std::string name = compose("Queue", {message_name<T>()});
    return name;
  }
  /// What a handle in another OS process is made with, after its owner.
  std::tuple<std::size_t> local_part() const noexcept { return {maxsize_}; }

  void handle(Put& op, Reply<bool>& reply) {
    if (closed_) throw closed_error(name_, ": put refused");
    if (!has_room()) {
      if (op.blocking) putters_.push({reply, std::move(op.item)});
      else reply.answer(false);
    } else if (reply.answer(true)) {
      place(std::move(op.item));
    }
  }
  void handle(Get& op, Reply<std::optional<T>>& reply) {
    if (!items_.empty()) {
      if (reply.answer_with([this] { return take_head(); })) admit_putters();
    } else if (closed_) {
      throw closed_error(name_, " and empty");
    } else if (!op.blocking) {
      // answer(std::nullopt) draws a false -Wmaybe-uninitialized from GCC 12 at -O1.
      reply.answer_with([] { return std::optional<T>(); });
    } else {
      getters_.push(reply);
    }
  }
  void handle(Unget& op) {
    if (!op.item) return;
    if (!give_to_getter(*op.item)) items_.push_front(std::move(*op.item));
  }
  std::size_t handle(Size&) const noexcept { return items_.size(); }
  void handle(Close&) {
    closed_ = true;
    auto refuse = [this](const char* detail) {
      return std::make_exception_ptr(closed_error(name_, detail));
    };
    for (auto& g : getters_.drain()) g.fail(refuse(" and empty"));
    for (auto& p : putters_.drain()) p.reply.fail(refuse(": put refused"));
  }
  void handle(TaskDone&) {
    if (unfinished_ == 0) throw Error("'" + name_ + "': task_done() called more times than items were put");
    if (--unfinished_ == 0)
      for (auto& j : joiners_.drain()) j.answer();
  }
  void handle(Join&, Reply<void>& reply) {
    if (unfinished_ == 0) reply.answer();
    else joiners_.push(reply);
  }

  const std::string& name() const noexcept { return name_; }
  std::size_t maxsize() const noexcept { return maxsize_; }

 private:
  struct Putter {
    Reply<bool> reply;
    T item;
    bool pending() const noexcept { return reply.pending(); }
  };

  bool has_room() const noexcept { return maxsize_ == 0 || items_.size() < maxsize_; }
  T take_head() {
    T v = std::move(items_.front());
    items_.pop_front();
    return v;
  }
  /// Hands `item` to the first waiting getter; false (item untouched) if none waits.
  bool give_to_getter(T& item) {
    while (getters_.front())
      if (getters_.take().answer_with([&] { return std::optional<T>(std::move(item)); }))
        return true;
    return false;
  }
  /// A new item for which there is room.
  void place(T item) {
    ++unfinished_;
    if (!give_to_getter(item)) items_.push_back(std::move(item));
  }
  void admit_putters() {
    while (has_room() && putters_.front()) {
      Putter p = putters_.take();
      if (p.reply.answer(true)) place(std::move(p.item));
    }
  }

  std::string name_;
  std::size_t maxsize_;
  bool closed_ = false;
  std::deque<T> items_;
  WaitQueue<Reply<std::optional<T>>> getters_;  // only while empty
  WaitQueue<Putter> putters_;                   // only while full
  std::size_t unfinished_ = 0;                  // items put whose task is not done
  WaitQueue<Reply<void>> joiners_;              // only while unfinished_ > 0
};

}  // namespace detail

/// A FIFO queue shared by processes; copies of the handle share one queue.
template <class T>
class Queue : public detail::Handle<detail::QueueState<T>> {
  using State = detail::QueueState<T>;

 public:
  /// At most `maxsize` items (0: unbounded).
  explicit Queue(std::size_t maxsize = 0) : Queue(detail::make_owner(), maxsize) {}
  /// A queue run by `origin`'s owner (a Manager's).
  explicit Queue(detail::Origin origin, std::size_t maxsize = 0)
      : detail::Handle<State>(std::move(origin), "Queue", maxsize) {}

  /// Appends `item`, parking while the queue is full; csp::Error once the queue is closed.
  void put(T item) const { this->call(typename State::Put{std::move(item), true}); }
  /// The same, giving up after `timeout`; whether it was put.
  template <class Rep, class Period>
  bool put(T item, std::chrono::duration<Rep, Period> timeout) const {
    return this->call_until(typename State::Put{std::move(item), true},
                            detail::deadline_after(timeout))
        .value_or(false);
  }
  /// Appends `item` only if there is room now.
  bool try_put(T item) const { return this->call(typename State::Put{std::move(item), false}); }

  /// Removes the head, parking while the queue is empty; csp::Error once it is closed and
  /// empty.
  T get() const { return *this->call(typename State::Get{true}); }
  /// The same, giving up after `timeout` (empty result).
  template <class Rep, class Period>
  std::optional<T> get(std::chrono::duration<Rep, Period> timeout) const {
    auto r = this->call_until(typename State::Get{true}, detail::deadline_after(timeout));
    // A last try: an item may have been there at the deadline and the owner slow to answer.
    return r ? std::move(*r) : try_get();
  }
  /// Removes the head if there is one.
  std::optional<T> try_get() const { return this->call(typename State::Get{false}); }

  std::size_t qsize() const { return this->call(typename State::Size{}); }
  bool empty() const { return qsize() == 0; }
  bool full() const { return maxsize() != 0 && qsize() >= maxsize(); }
  std::size_t maxsize() const noexcept { return this->state().maxsize(); }
  /// No more puts: they (and waiting putters) get csp::Error; getters drain what is queued,
  /// then get csp::Error.
  void close() const { this->call(typename State::Close{}); }

  /// Says that the task of an item got from the queue is done (Python's JoinableQueue); csp::Error
  /// if it is said more times than items were put.
  void task_done() const { this->call(typename State::TaskDone{}); }
  /// Parks until every item put has been got and its task done.
  void join() const { this->call(typename State::Join{}); }
  /// The same, giving up after `timeout`; whether every task was done.
  template <class Rep, class Period>
  bool join(std::chrono::duration<Rep, Period> timeout) const {
    return this->call_until(typename State::Join{}, detail::deadline_after(timeout)).has_value();
  }
  const std::string& name() const noexcept { return this->state().name(); }
};

}  // namespace csp
