// csp::Namespace: named attributes of any copyable types shared by processes (what Python's
// Manager().Namespace() returns), owned by an owner actor; a wrong type is a csp::Error.
#pragma once

#include <any>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "csp/errors.hpp"
#include "csp/shared/detail/owner.hpp"
#include "csp/shared/detail/update.hpp"

namespace csp {

namespace detail {

/// "'<ns>' has no attribute '<attr>'".
Error missing_attribute(const std::string& ns, const std::string& attr);
/// "'<ns>'.<attr> holds <held>, not <wanted>", with readable type names.
Error wrong_type(const std::string& ns, const std::string& attr, const std::type_info& held,
                 const std::type_info& wanted);

/// What an attribute set from a T holds: a string for string literals, else T itself.
template <class T>
using attribute_t = std::conditional_t<std::is_convertible_v<const std::decay_t<T>&, std::string_view> &&
                                           !std::is_same_v<std::decay_t<T>, std::string>,
                                       std::string, std::decay_t<T>>;

class NamespaceState {
 public:
  explicit NamespaceState(std::string name) : name_(std::move(name)) {}

  struct Get {
    using result = std::any;
    std::string attr;
  };
  struct Set {
    using result = void;
    std::string attr;
    std::any value;
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

  std::any handle(Get& op) const { return at(op.attr); }
  void handle(Set& op) { attrs_.insert_or_assign(std::move(op.attr), std::move(op.value)); }
  bool handle(Erase& op) { return attrs_.erase(op.attr) > 0; }
  bool handle(Contains& op) const { return attrs_.contains(op.attr); }
  std::vector<std::string> handle(Names&) const;
  template <class R>
  void handle(Update<std::any&, R, std::string>& op, Reply<R>& reply) {
    answer_update(op, at(op.where), reply);
  }

  const std::string& name() const noexcept { return name_; }

 private:
  std::any& at(const std::string& attr);
  const std::any& at(const std::string& attr) const;

  std::string name_;
  std::map<std::string, std::any> attrs_;
};

}  // namespace detail

/// Named attributes shared by processes; copies of the handle share one namespace.
class Namespace : public detail::Handle<detail::NamespaceState> {
  using State = detail::NamespaceState;

 public:
  Namespace();
  /// A namespace run by `owner` (a Manager's).
  explicit Namespace(std::shared_ptr<detail::Owner> owner);

  /// Sets `attr` to `value` (a string literal is kept as a std::string).
  template <class T>
  void set(std::string attr, T&& value) const {
    call(State::Set{std::move(attr), std::any(detail::attribute_t<T>(std::forward<T>(value)))});
  }
  /// The value of `attr`; csp::Error if there is none, or if it holds another type.
  template <class T>
  T get(const std::string& attr) const {
    std::any v = call(State::Get{attr});
    if (T* p = std::any_cast<T>(&v)) return std::move(*p);
    throw detail::wrong_type(name(), attr, v.type(), typeid(T));
  }
  /// Runs `fn(T&)` on `attr` inside the owner, atomically; returns what it returns. csp::Error
  /// if `attr` is missing or holds another type. `fn` must not block.
  template <class T, class F>
  auto update(std::string attr, F fn) const {
    using R = std::invoke_result_t<F&, T&>;
    std::function<R(std::any&)> typed = [fn = std::move(fn), attr, ns = name()](std::any& v) mutable -> R {
      T* p = std::any_cast<T>(&v);
      if (!p) throw detail::wrong_type(ns, attr, v.type(), typeid(T));
      return fn(*p);
    };
    return detail::unwrap(call(detail::Update<std::any&, R, std::string>{std::move(attr), std::move(typed)}));
  }
  bool contains(std::string attr) const { return call(State::Contains{std::move(attr)}); }
  /// Removes `attr`; whether it was there.
  bool erase(std::string attr) const { return call(State::Erase{std::move(attr)}); }
  /// The attributes' names, sorted.
  std::vector<std::string> names() const { return call(State::Names{}); }
  const std::string& name() const noexcept { return state().name(); }
};

}  // namespace csp
