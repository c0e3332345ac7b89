// csp::Namespace: named attributes of any copyable types shared by processes (what Python's
// Manager().Namespace() returns), owned by an owner actor; a wrong type is a csp::Error.
#pragma once

#include <any>
#include <concepts>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "csp/detail/serialize.hpp"
#include "csp/errors.hpp"
#include "csp/shared/detail/owner.hpp"
#include "csp/shared/detail/update.hpp"

namespace csp {

namespace detail {

/// A namespace attribute's value, of any copyable type. One that another OS process set stays
/// encoded, under its message type's name, until it is read here as that type.
class Attribute {
 public:
  using Encoded = std::pair<std::string, std::vector<std::byte>>;  // message type name, encoding

  template <class T>
  explicit Attribute(T value) : value_(std::move(value)) {
    if constexpr (message<T>) encode_ = &encode_any<T>;
  }
  /// One another OS process sent.
  static Attribute from_peer(Encoded encoded) {
    Attribute a;
    a.encoded_ = std::move(encoded);
    return a;
  }

  /// The value if it is a T (an encoded one is decoded, once), else null.
  template <class T>
  T* as() {
    if constexpr (message<T> && std::default_initializable<T>) {
      if (!value_.has_value() && encoded_.first == message_name<T>())
        *this = Attribute(decode<T>(encoded_.second));
    }
    return std::any_cast<T>(&value_);
  }
  /// Its type as errors name it.
  std::string type_name() const;
  /// How it crosses to another OS process; empty if its type is not a message type.
  std::optional<Encoded> encoded() const;

 private:
  Attribute() = default;

  template <class T>
  static void encode_any(const std::any& v, Encoded& out) {
    out.first = message_name<T>();
    encode(*std::any_cast<T>(&v), out.second);
  }

  std::any value_;  // empty while encoded
  void (*encode_)(const std::any&, Encoded&) = nullptr;  // for a value of a message type
  Encoded encoded_;
};

/// "'<ns>' has no attribute '<attr>'".
Error missing_attribute(const std::string& ns, const std::string& attr);
/// "'<ns>'.<attr> holds <held>, not <wanted>", with readable type names.
Error wrong_type(const std::string& ns, const std::string& attr, const Attribute& held,
                 const std::type_info& wanted);
/// "'<ns>'.<attr>: a <held> does not cross to another OS process (not a message type)".
Error does_not_cross(const std::string& ns, const std::string& attr, const Attribute& held);

/// What an attribute set from a T holds: a string for string literals, else T itself.
template <class T>
using attribute_t = std::conditional_t<std::is_convertible_v<const std::decay_t<T>&, std::string_view> &&
                                           !std::is_same_v<std::decay_t<T>, std::string>,
                                       std::string, std::decay_t<T>>;

class NamespaceState {
 public:
  explicit NamespaceState(std::string name) : name_(std::move(name)) {}

  struct Get {
    using result = Attribute;
    std::string attr;
  };
  struct Set {
    using result = void;
    std::string attr;
    Attribute value;
  };
  // What other OS processes send: a value as its message type's name and encoding.
  struct Load {
    using result = Attribute::Encoded;
    std::string attr;
  };
  struct Store {
    using result = void;
    std::string attr;
    Attribute::Encoded value;
  };
  struct Erase {
    using result = bool;
    std::string attr;
  };
  struct Contains {
    using result = bool;
    std::string attr;
  };
  struct Names {
    using result = std::vector<std::string>;
  };

  using remote_ops = std::tuple<Load, Store, Erase, Contains, Names>;
  static constexpr bool holds_messages = true;
  static const std::string& type_name() {
    static const std::string name = "Namespace";
    return name;
  }

  Attribute handle(Get& op) const { return at(op.attr); }
  void handle(Set& op) { attrs_.insert_or_assign(std::move(op.attr), std::move(op.value)); }
  Attribute::Encoded handle(Load& op) const;
  void handle(Store& op) { attrs_.insert_or_assign(std::move(op.attr), Attribute::from_peer(std::move(op.value))); }
  bool handle(Erase& op) { return attrs_.erase(op.attr) > 0; }
  bool handle(Contains& op) const { return attrs_.contains(op.attr); }
  std::vector<std::string> handle(Names&) const;
  template <class R>
  void handle(Update<Attribute&, R, std::string>& op, Reply<R>& reply) {
    answer_update(op, at(op.where), reply);
  }

  const std::string& name() const noexcept { return name_; }

 private:
  Attribute& at(const std::string& attr);
  const Attribute& at(const std::string& attr) const;

  std::string name_;
  std::map<std::string, Attribute> attrs_;
};

}  // namespace detail

/// Named attributes shared by processes; copies of the handle share one namespace. A handle in
/// another OS process (a csp::multiprocess child's) sets and gets values of message types only,
/// and has no update().
class Namespace : public detail::Handle<detail::NamespaceState> {
  using State = detail::NamespaceState;

 public:
  Namespace();
  /// A namespace run by `origin`'s owner (a Manager's).
  explicit Namespace(detail::Origin origin);

  /// Sets `attr` to `value` (a string literal is kept as a std::string).
  template <class T>
  void set(std::string attr, T&& value) const {
    detail::Attribute a(detail::attribute_t<T>(std::forward<T>(value)));
    if (!object()->remote) {
      call(State::Set{std::move(attr), std::move(a)});
      return;
    }
    std::optional<detail::Attribute::Encoded> encoded = a.encoded();
    if (!encoded) throw detail::does_not_cross(name(), attr, a);
    call(State::Store{std::move(attr), std::move(*encoded)});
  }
  /// The value of `attr`; csp::Error if there is none, or if it holds another type.
  template <class T>
  T get(const std::string& attr) const {
    detail::Attribute a =
        object()->remote ? detail::Attribute::from_peer(call(State::Load{attr})) : call(State::Get{attr});
    if (T* p = a.as<T>()) return std::move(*p);
    throw detail::wrong_type(name(), attr, a, typeid(T));
  }
  /// Runs `fn(T&)` on `attr` inside the owner, atomically; returns what it returns. csp::Error
  /// if `attr` is missing or holds another type. `fn` must not block.
  template <class T, class F>
  auto update(std::string attr, F fn) const {
    using R = std::invoke_result_t<F&, T&>;
    std::function<R(detail::Attribute&)> typed =
        [fn = std::move(fn), attr, ns = name()](detail::Attribute& v) mutable -> R {
          T* p = v.as<T>();
          if (!p) throw detail::wrong_type(ns, attr, v, typeid(T));
          return fn(*p);
        };
    return detail::unwrap(call(detail::Update<detail::Attribute&, R, std::string>{std::move(attr), std::move(typed)}));
  }
  bool contains(std::string attr) const { return call(State::Contains{std::move(attr)}); }
  /// Removes `attr`; whether it was there.
  bool erase(std::string attr) const { return call(State::Erase{std::move(attr)}); }
  /// The attributes' names, sorted.
  std::vector<std::string> names() const { return call(State::Names{}); }
  const std::string& name() const noexcept { return state().name(); }
};

}  // namespace csp
