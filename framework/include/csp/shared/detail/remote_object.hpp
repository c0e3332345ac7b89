// A shared object served by another OS process, as its handles see it: a request crosses as its
// caller's identity, its index among the state's `remote_ops` and its fields, and its answer
// comes back encoded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <variant>
#include <vector>

#include "csp/detail/serialize.hpp"
#include "csp/detail/timer.hpp"

namespace csp::detail {

/// A request sent to an object served elsewhere, whose answer is awaited later. One never
/// awaited is withdrawn as it goes, and an answer it got meanwhile is given back.
class RemoteCall {
 public:
  virtual ~RemoteCall() = default;
  /// Waits (once) for the encoded answer, or until `deadline`: the request is then withdrawn,
  /// and the answer is empty unless the serving side gave it before the withdrawal reached it.
  /// The serving side's error if the request failed there (see failure_error), csp::Error if
  /// the connection is gone. Interrupted (a terminated process), it gives the request up.
  virtual std::optional<std::vector<std::byte>> wait(std::optional<Clock::time_point> deadline) = 0;
};

/// The connection of a handle to an object served elsewhere. Objects served at one address
/// share a connection, whose requests reach the serving side's owners in the order sent.
class RemoteObject {
 public:
  virtual ~RemoteObject() = default;
  /// The object's name where it is served, which its handles here bear too.
  virtual const std::string& name() const noexcept = 0;
  /// What its handles here are made with after their owner, as the serving side encoded it
  /// (see remote_handle).
  virtual std::span<const std::byte> local_part() const noexcept = 0;
  /// The shared object that the serving side lent as part `number` of this one's local part (a
  /// condition's lock), which must be a `type`; csp::Error if it is not, or if the connection
  /// is gone.
  virtual std::shared_ptr<const RemoteObject> attach_part(std::uint64_t number, const std::string& type) const = 0;
  /// Sends one encoded request, whose answer is awaited with the call returned; csp::Error if
  /// the connection is gone.
  virtual std::unique_ptr<RemoteCall> start(std::vector<std::byte> request) const = 0;
  /// Sends one encoded request nobody waits for (a release while unwinding): its answer is
  /// given back.
  virtual void post(std::span<const std::byte> request) const = 0;
};

/// Identity of the calling process (or thread): the context it runs on. Lock holders are
/// recorded by it; a request to an object served elsewhere carries it, and the serving side
/// tells apart the processes of each peer by it.
std::uintptr_t caller_id() noexcept;

/// The error that the answer `tail` of a failed request stands for: a BrokenBarrierError or a
/// lock's NotHeldError as one, any other as a csp::Error with its message. csp::Error if `tail`
/// is malformed.
std::exception_ptr failure_error(std::span<const std::byte> tail);

template <class Op, class Ops>
struct op_index;
template <class Op, class... Ops>
struct op_index<Op, std::tuple<Ops...>> {
  static constexpr std::size_t value = [] {
    std::size_t i = 0;
    (void)((std::is_same_v<Op, Ops> ? false : (++i, true)) && ...);
    return i;
  }();
};

/// Whether other OS processes may use a State (it lists the requests that cross as
/// `remote_ops`, and holds message types).
template <class State>
concept remote_state = requires { typename State::remote_ops; } && State::holds_messages;

/// Whether `Op` is one of the requests State serves to other processes.
template <class State, class Op>
concept crosses = remote_state<State> && op_index<Op, typename State::remote_ops>::value <
                                             std::tuple_size_v<typename State::remote_ops>;

/// The encoding of `op`'s result, or nothing for a void one.
template <class R>
void encode_answer(const R& answer, std::vector<std::byte>& out) {
  if constexpr (!std::is_same_v<R, std::monostate>) encode(answer, out);
}
template <class R>
R decode_answer(std::span<const std::byte> in) {
  if constexpr (std::is_same_v<R, std::monostate>) return {};
  else return decode<R>(in);
}

/// The name requests are decoded under in error messages.
inline constexpr std::string_view request_name = "shared-object request";

/// `op` as the serving side decodes it, sent by the caller.
template <class State, class Op>
std::vector<std::byte> encode_request(const Op& op) {
  std::vector<std::byte> request;
  request.reserve(64);  // also keeps GCC 12 from a false -Wnonnull on a known-empty vector
  Encoder out(request, request_name);
  out.put(static_cast<std::uint64_t>(caller_id()));
  out.put(static_cast<std::uint8_t>(op_index<Op, typename State::remote_ops>::value));
  out.put(op);
  return request;
}

}  // namespace csp::detail
