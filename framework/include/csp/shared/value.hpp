// csp::Value<T>: one value shared by processes (Python's multiprocessing.Value), owned by an
// owner actor: get, set, and update(fn) that runs fn atomically inside the owner.
#pragma once

#include <memory>
#include <string>
#include <tuple>
#include <utility>

#include "csp/shared/detail/synchronized.hpp"
#include "csp/shared/detail/update.hpp"

namespace csp {

namespace detail {

template <class T>
class ValueState : public Guarded {
 public:
  ValueState(std::string name, std::shared_ptr<Object<LockState>> lock, T value)
      : Guarded(std::move(name), std::move(lock)), value_(std::move(value)) {}

  struct Get {
    using result = T;
  };
  struct Set {
    using result = void;
    T value;
  };
  using remote_ops = std::tuple<Get, Set>;
  static constexpr bool holds_messages = message<T>;
  static const std::string& type_name() {
    static const std::string name = compose("Value", {message_name<T>()});
    return name;
  }

  void handle(Get&, Reply<T>& reply) {
    if (admitted(reply)) reply.answer(value_);
  }
  void handle(Set& op, Reply<void>& reply) {
    if (!admitted(reply)) return;
    value_ = std::move(op.value);
    reply.answer();
  }
  template <class R>
  void handle(Update<T&, R>& op, Reply<R>& reply) {
    if (admitted(reply)) answer_update(op, value_, reply);
  }

 private:
  T value_;
};

}  // namespace detail

/// A value shared by processes. Copies of the handle share one value.
template <class T>
class Value : public detail::Synchronized<detail::ValueState<T>> {
  using State = detail::ValueState<T>;

 public:
  explicit Value(T initial = T{}) : Value(detail::make_owner(), std::move(initial)) {}
  /// A value run by `origin`'s owner (a Manager's).
  explicit Value(detail::Origin origin, T initial = T{})
      : detail::Synchronized<State>(std::move(origin), "Value", std::move(initial)) {}
  /// A handle to a value served by another OS process, guarded by the served value's `lock`.
  Value(detail::Origin origin, RLock lock)
      : detail::Synchronized<State>(std::move(lock), std::move(origin), "Value", T{}) {}

  T get() const { return this->call(typename State::Get{}); }
  void set(T v) const { this->call(typename State::Set{std::move(v)}); }
  /// Runs `fn(T&)` inside the owner, atomically with respect to every other request, and
  /// returns what it returns. `fn` must not block (it runs in the owner).
  template <class F>
  auto update(F fn) const {
    return detail::unwrap(this->call(detail::make_update<T&>(std::move(fn))));
  }
};

}  // namespace csp
