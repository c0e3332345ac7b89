// csp::Array<T>: a fixed-size array shared by processes (Python's multiprocessing.Array), owned
// by an owner actor: element get/set, snapshot, and update(fn) over a span, run atomically.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "csp/errors.hpp"
#include "csp/shared/detail/synchronized.hpp"
#include "csp/shared/detail/update.hpp"

namespace csp {

namespace detail {

/// Throws csp::Error unless `i` indexes `object` of `size` elements.
void check_index(const std::string& object, std::size_t i, std::size_t size);

/// What a handle to an array served by another OS process is made with: the array's size. Its
/// elements stay where it is served.
struct ServedElements {
  std::size_t size;
};

template <class T>
class ArrayState : public Guarded {
 public:
  ArrayState(std::string name, std::shared_ptr<Object<LockState>> lock, std::vector<T> items)
      : Guarded(std::move(name), std::move(lock)), size_(items.size()), items_(std::move(items)) {}
  ArrayState(std::string name, std::shared_ptr<Object<LockState>> lock, ServedElements served)
      : Guarded(std::move(name), std::move(lock)), size_(served.size) {}

  struct Get {
    using result = T;
    std::size_t index;
  };
  struct Set {
    using result = void;
    std::size_t index;
    T value;
  };
  struct Snapshot {
    using result = std::vector<T>;
  };
  using remote_ops = std::tuple<Get, Set, Snapshot>;
  static constexpr bool holds_messages = message<T>;
  static const std::string& type_name() {
    static const std::string name = compose("Array", {message_name<T>()});
    return name;
  }
  /// What a handle in another OS process is made with, after its owner.
  std::tuple<ServedElements> local_part() const noexcept { return {ServedElements{size_}}; }

  void handle(Get& op, Reply<T>& reply) {
    if (!admitted(reply)) return;
    check_index(name(), op.index, size_);
    reply.answer(items_[op.index]);
  }
  void handle(Set& op, Reply<void>& reply) {
    if (!admitted(reply)) return;
    check_index(name(), op.index, size_);
    items_[op.index] = std::move(op.value);
    reply.answer();
  }
  void handle(Snapshot&, Reply<std::vector<T>>& reply) {
    if (admitted(reply)) reply.answer(items_);
  }
  template <class R>
  void handle(Update<std::span<T>, R>& op, Reply<R>& reply) {
    if (admitted(reply)) answer_update(op, std::span<T>(items_), reply);
  }

  /// Never changes, so any thread may read it.
  std::size_t size() const noexcept { return size_; }

 private:
  const std::size_t size_;
  std::vector<T> items_;
};

}  // namespace detail

/// A fixed-size array shared by processes; copies of the handle share one array. T is any
/// copyable type: numbers, or plain structs such as Point{x, y}.
template <class T>
class Array : public detail::Synchronized<detail::ArrayState<T>> {
  using State = detail::ArrayState<T>;

 public:
  /// `n` value-initialized elements.
  explicit Array(std::size_t n) : Array(std::vector<T>(n)) {}
  Array(std::initializer_list<T> items) : Array(std::vector<T>(items)) {}
  explicit Array(std::vector<T> items) : Array(detail::make_owner(), std::move(items)) {}
  /// An array run by `origin`'s owner (a Manager's).
  Array(detail::Origin origin, std::vector<T> items)
      : detail::Synchronized<State>(std::move(origin), "Array", std::move(items)) {}
  /// A handle to an array served by another OS process (see detail::remote_handle): all its
  /// requests go there, and none of its elements are here; the served array's `lock` guards it.
  Array(detail::Origin origin, detail::ServedElements served, RLock lock)
      : detail::Synchronized<State>(std::move(lock), std::move(origin), "Array", served) {}

  /// Element `i`; csp::Error if out of range.
  T get(std::size_t i) const { return this->call(typename State::Get{i}); }
  void set(std::size_t i, T v) const { this->call(typename State::Set{i, std::move(v)}); }
  std::size_t size() const noexcept { return this->state().size(); }
  /// A copy of every element, taken atomically.
  std::vector<T> snapshot() const { return this->call(typename State::Snapshot{}); }
  /// Runs `fn(std::span<T>)` inside the owner, atomically, and returns what it returns. `fn`
  /// must not block (it runs in the owner).
  template <class F>
  auto update(F fn) const {
    return detail::unwrap(this->call(detail::make_update<std::span<T>>(std::move(fn))));
  }
};

}  // namespace csp
