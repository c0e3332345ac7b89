// Which types may cross a process boundary, and the one macro that announces a user type:
// `CSP_MESSAGE_TYPE(T);` in T's own namespace or at global scope, once, after T is complete.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/pfr/core.hpp>

/// Announcements are functions found by argument-dependent lookup on this tag: its associated
/// namespaces are the global one and T's, so the macro works in either.
template <class T>
struct csp_message_tag {};

namespace csp::detail {

template <class T>
concept announced = requires { csp_message_type_announced(csp_message_tag<T>{}); };

/// Collects the fields an `inspect(f, x)` function hands to `f(fields...)`.
struct FieldProbe {
  template <class... Fields>
  bool operator()(Fields&...) const noexcept {
    return true;
  }
};

template <class T>
concept inspectable = requires(FieldProbe& f, T& x) { inspect(f, x); };

template <class T>
struct is_builtin_container : std::false_type {};
template <class T>
struct is_builtin_container<std::vector<T>> : std::true_type {};
template <class K, class V>
struct is_builtin_container<std::map<K, V>> : std::true_type {};
template <class A, class B>
struct is_builtin_container<std::pair<A, B>> : std::true_type {};
template <class... Ts>
struct is_builtin_container<std::tuple<Ts...>> : std::true_type {};
template <class T>
struct is_builtin_container<std::optional<T>> : std::true_type {};

template <class T>
concept arithmetic_or_enum = std::is_arithmetic_v<T> || std::is_enum_v<T>;

/// A type announced with CSP_MESSAGE_TYPE whose fields come from inspect() or, for a plain
/// aggregate, from reflection.
template <class T>
concept user_message = announced<T> && !std::is_reference_v<T> && !std::is_const_v<T> &&
                       (inspectable<T> || (std::is_aggregate_v<T> && !std::is_array_v<T>));

template <class T>
struct fields_are_messages;

/// Every type that may cross a process boundary.
template <class T>
concept message = arithmetic_or_enum<T> || std::same_as<T, std::string> ||
                  (is_builtin_container<T>::value && fields_are_messages<T>::value) ||
                  (user_message<T> && (inspectable<T> || fields_are_messages<T>::value));

template <class T>
struct fields_are_messages : std::false_type {};
template <class T>
struct fields_are_messages<std::vector<T>> : std::bool_constant<message<T>> {};
template <class K, class V>
struct fields_are_messages<std::map<K, V>> : std::bool_constant<message<K> && message<V>> {};
template <class A, class B>
struct fields_are_messages<std::pair<A, B>> : std::bool_constant<message<A> && message<B>> {};
template <class... Ts>
struct fields_are_messages<std::tuple<Ts...>> : std::bool_constant<(message<Ts> && ...)> {};
template <class T>
struct fields_are_messages<std::optional<T>> : std::bool_constant<message<T>> {};

template <class Tuple>
struct tuple_all_messages;
template <class... Ts>
struct tuple_all_messages<std::tuple<Ts...>> : std::bool_constant<(message<std::remove_cvref_t<Ts>> && ...)> {};

// Aggregates: every field, as Boost.PFR sees them, must be a message.
template <class T>
  requires(std::is_aggregate_v<T> && !is_builtin_container<T>::value && !inspectable<T> &&
           !std::is_array_v<T>)
struct fields_are_messages<T>
    : tuple_all_messages<decltype(boost::pfr::structure_to_tuple(std::declval<const T&>()))> {};

}  // namespace csp::detail

/// Announces the user type `T` (a plain aggregate of message types, or a type with an
/// `inspect(f, x)` function calling `f(x.a, x.b, ...)`) as a message type. Write it once, in
/// T's namespace or at global scope: `CSP_MESSAGE_TYPE(geometry::Point);`
#define CSP_MESSAGE_TYPE(...)                                                             \
  [[maybe_unused]] constexpr bool csp_message_type_announced(                             \
      ::csp_message_tag<__VA_ARGS__>) noexcept {                                          \
    return true;                                                                          \
  }                                                                                       \
  static_assert(::csp::detail::message<__VA_ARGS__>,                                      \
                "CSP_MESSAGE_TYPE: needs a plain aggregate of message types or inspect()")
