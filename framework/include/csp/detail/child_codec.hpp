// The arguments and result of a multiprocess body as bytes, in the message encoding that
// channels use across processes; channel ends and shared objects among the arguments are lent
// to the child.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "csp/detail/serialize.hpp"
#include "csp/errors.hpp"
#include "csp/process.hpp"
#include "csp/remote/detail/lend.hpp"

namespace csp::detail {

/// What a multiprocess body may take: a message type, a channel end, a vector of ends, or a
/// shared object whose requests cross (Dict, List, Value, Array, Queue, Pipe ends (Connection)
/// of message types; Namespace; Lock, RLock, Condition, Event, Semaphore, BoundedSemaphore,
/// Barrier).
template <class A>
concept child_argument = message<A> || holds_ends<A>::value || servable<A>;

inline constexpr std::string_view arguments_name = "multiprocess arguments";

template <class A>
void encode_argument(Encoder& out, const A& a, Loans& loans) {
  if constexpr (is_channel_end_v<A>) {
    out.put(loans.lend(a));
  } else if constexpr (holds_ends<A>::value) {
    std::vector<LentEndRef> refs;
    refs.reserve(a.size());
    for (const auto& end : a) refs.push_back(loans.lend(end));
    out.put(refs);
  } else if constexpr (servable<A>) {
    // What the child's handle is made with comes with its attach (see remote_handle). An object
    // served by another OS process is attached there by the child too: its owner here refuses
    // requests.
    if (a.object()->remote) out.put(pass_on(*a.object()->remote));
    else out.put(loans.lend_object(std::make_shared<ServedOf<A>>(a)));
  } else {
    out.put(a);
  }
}

template <class A>
A decode_argument(Decoder& in) {
  if constexpr (is_channel_end_v<A>) {
    LentEndRef ref;
    in.get(ref);
    return borrow<A>(ref);
  } else if constexpr (holds_ends<A>::value) {
    std::vector<LentEndRef> refs;
    in.get(refs);
    A ends;
    ends.reserve(refs.size());
    for (const LentEndRef& ref : refs) ends.push_back(borrow<typename A::value_type>(ref));
    return ends;
  } else if constexpr (servable<A>) {
    LentObjectRef ref;
    in.get(ref);
    return remote_handle<A>(attach_lent(ref, served_type<A>()));
  } else {
    A v{};
    in.get(v);
    return v;
  }
}

inline std::string string_of(const std::vector<std::byte>& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

inline std::span<const std::byte> bytes_of(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

/// The arguments for a child; the channel ends among them are lent through `loans`.
template <class... Args>
std::string encode_arguments(const std::tuple<Args...>& args, Loans& loans) {
  static_assert((child_argument<Args> && ...),
                "csp::multiprocess: every argument must be a message type (a built-in, or a type "
                "announced with CSP_MESSAGE_TYPE), a channel end, a std::vector of ends, a Dict, "
                "List, Value, Array, Queue or Pipe end (Connection) of message types, a "
                "Namespace, a Lock, an RLock, a Condition, an Event, a Semaphore, a "
                "BoundedSemaphore or a Barrier");
  std::vector<std::byte> out;
  out.reserve(256);  // also keeps GCC 12 from false -Wstringop-overflow on a known-empty vector
  Encoder encoder(out, arguments_name);
  std::apply([&](const Args&... a) { (encode_argument(encoder, a, loans), ...); }, args);
  return string_of(out);
}

/// In the child: the arguments, with the lent channel ends joined to the parent's channels.
template <class... Args>
std::tuple<Args...> decode_arguments(std::string_view bytes) {
  Decoder in(bytes_of(bytes), arguments_name);
  std::tuple<Args...> args{decode_argument<Args>(in)...};  // braces: decoded in order
  if (!in.done()) in.fail("bytes left over after the arguments");
  return args;
}

template <class R>
std::string encode_result(const R& result) {
  static_assert(message<R>,
                "csp::multiprocess: the result must be a message type (a built-in, or a type "
                "announced with CSP_MESSAGE_TYPE)");
  std::vector<std::byte> out;
  out.reserve(256);
  encode(result, out);
  return string_of(out);
}

template <class R>
R decode_result(std::string_view bytes) {
  return decode<R>(bytes_of(bytes));
}

}  // namespace csp::detail
