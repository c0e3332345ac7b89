// csp::List<T>: a growable list shared by processes (what Python's Manager().list() returns),
// owned by an owner actor; update(fn) runs fn on the whole vector atomically.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "csp/shared/array.hpp"
#include "csp/shared/detail/owner.hpp"
#include "csp/shared/detail/update.hpp"

namespace csp {

namespace detail {

template <class T>
class ListState {
 public:
  explicit ListState(std::string name) : name_(std::move(name)) {}

  struct Append {
    using result = void;
    T item;
  };
  struct Extend {
    using result = void;
    std::vector<T> items;
  };
  struct Insert {
    using result = void;
    std::size_t index;
    T item;
  };
  struct Get {
    using result = T;
    std::size_t index;
  };
  struct Set {
    using result = void;
    std::size_t index;
    T item;
  };
  /// Removes and returns the last item.
  struct Pop {
    using result = T;
  };
  struct Size {
    using result = std::size_t;
  };
  struct Snapshot {
    using result = std::vector<T>;
  };
  struct Clear {
    using result = void;
  };
  using remote_ops = std::tuple<Append, Extend, Insert, Get, Set, Pop, Size, Snapshot, Clear>;
  static constexpr bool holds_messages = message<T>;
  static const std::string& type_name() {
    static const std::string name = compose("List", {message_name<T>()});
    return name;
  }

  void handle(Append& op) { items_.push_back(std::move(op.item)); }
  void handle(Extend& op) {
    items_.insert(items_.end(), std::make_move_iterator(op.items.begin()),
                  std::make_move_iterator(op.items.end()));
  }
  void handle(Insert& op) {
    check_index(name_, op.index, items_.size() + 1);
    items_.insert(items_.begin() + static_cast<std::ptrdiff_t>(op.index), std::move(op.item));
  }
  T handle(Get& op) const {
    check_index(name_, op.index, items_.size());
    return items_[op.index];
  }
  void handle(Set& op) {
    check_index(name_, op.index, items_.size());
    items_[op.index] = std::move(op.item);
  }
  T handle(Pop&) {
    check_index(name_, 0, items_.size());
    T v = std::move(items_.back());
    items_.pop_back();
    return v;
  }
  std::size_t handle(Size&) const noexcept { return items_.size(); }
  std::vector<T> handle(Snapshot&) const { return items_; }
  void handle(Clear&) noexcept { items_.clear(); }
  template <class R>
  void handle(Update<std::vector<T>&, R>& op, Reply<R>& reply) {
    answer_update(op, items_, reply);
  }
  template <class R>
  void handle(Update<T&, R, std::size_t>& op, Reply<R>& reply) {
    check_index(name_, op.where, items_.size());
    answer_update(op, items_[op.where], reply);
  }

  const std::string& name() const noexcept { return name_; }

 private:
  std::string name_;
  std::vector<T> items_;
};

}  // namespace detail

/// A list shared by processes; copies of the handle share one list.
template <class T>
class List : public detail::Handle<detail::ListState<T>> {
  using State = detail::ListState<T>;

 public:
  List() : List(detail::make_owner()) {}
  /// A list run by `origin`'s owner (a Manager's).
  explicit List(detail::Origin origin) : detail::Handle<State>(std::move(origin), "List") {}

  void append(T item) const { this->call(typename State::Append{std::move(item)}); }
  void extend(std::vector<T> items) const { this->call(typename State::Extend{std::move(items)}); }
  /// Inserts before position `i` (size() appends); csp::Error if `i` is past the end.
  void insert(std::size_t i, T item) const {
    this->call(typename State::Insert{i, std::move(item)});
  }
  /// Item `i`; csp::Error if out of range.
  T get(std::size_t i) const { return this->call(typename State::Get{i}); }
  void set(std::size_t i, T item) const { this->call(typename State::Set{i, std::move(item)}); }
  /// Removes and returns the last item; csp::Error if the list is empty.
  T pop() const { return this->call(typename State::Pop{}); }
  std::size_t size() const { return this->call(typename State::Size{}); }
  /// Every item, taken atomically.
  std::vector<T> snapshot() const { return this->call(typename State::Snapshot{}); }
  void clear() const { this->call(typename State::Clear{}); }
  /// Runs `fn(std::vector<T>&)` inside the owner, atomically; returns what it returns.
  template <class F>
  auto update(F fn) const {
    return detail::unwrap(this->call(detail::make_update<std::vector<T>&>(std::move(fn))));
  }
  /// Runs `fn(T&)` on item `i` inside the owner, atomically; returns what it returns.
  template <class F>
  auto update(std::size_t i, F fn) const {
    return detail::unwrap(this->call(detail::make_update<T&>(std::move(fn), i)));
  }
  const std::string& name() const noexcept { return this->state().name(); }
};

}  // namespace csp
