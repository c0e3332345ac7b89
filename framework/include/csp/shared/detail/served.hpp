// Shared objects that other OS processes reach: what the serving side runs for a request that
// arrives encoded, and the handle the other side gets, whose requests go back there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "csp/shared/detail/owner.hpp"

namespace csp::detail {

/// The state behind handle type H.
template <class H>
using state_of = typename std::remove_cvref_t<decltype(std::declval<const H&>().object())>::element_type::state_type;

/// Handles whose objects other OS processes can use; their state names its type
/// (`type_name()`, such as "Dict<string,i32>").
template <class H>
concept servable = requires { typename state_of<H>; } && remote_state<state_of<H>>;

/// An object served to other OS processes, whatever its type.
class ServedObject {
 public:
  virtual ~ServedObject() = default;
  /// What the object is, as a client must name it.
  virtual const std::string& type() const noexcept = 0;
  /// Runs one encoded request on the object, waiting for its answer, and returns the answer
  /// encoded; the state's errors (csp::Error on a malformed request) propagate.
  virtual std::vector<std::byte> call(std::span<const std::byte> request) const = 0;
};

template <servable H>
class ServedOf final : public ServedObject {
  using State = state_of<H>;
  using Ops = typename State::remote_ops;

  // The handle's requests, as this object's server makes them.
  struct Caller : Handle<State> {
    explicit Caller(std::shared_ptr<Object<State>> object) : Handle<State>(std::move(object)) {}
    using Handle<State>::call;
  };

 public:
  explicit ServedOf(H handle) : handle_(std::move(handle)) {}

  const H& handle() const noexcept { return handle_; }
  const std::string& type() const noexcept override { return State::type_name(); }

  std::vector<std::byte> call(std::span<const std::byte> request) const override {
    Decoder in(request, request_name);
    std::uint8_t index;
    in.get(index);
    std::vector<std::byte> answer;
    bool known = [&]<std::size_t... I>(std::index_sequence<I...>) {
      return ((index == I && (run<std::tuple_element_t<I, Ops>>(in, answer), true)) || ...);
    }(std::make_index_sequence<std::tuple_size_v<Ops>>{});
    if (!known) in.fail("an unknown operation");
    return answer;
  }

 private:
  template <class Op>
  void run(Decoder& in, std::vector<std::byte>& answer) const {
    Op op{};
    in.get(op);
    if (!in.done()) in.fail("bytes left over after the request");
    encode_answer(Caller(handle_.object()).call(std::move(op)), answer);
  }

  H handle_;
};

/// The owner of every object served by another OS process: it refuses the requests that do not
/// cross (update(fn), locks, waits with a timeout) with a csp::Error.
std::shared_ptr<Owner> refusing_owner();

/// A handle of type H whose requests go to the object behind `remote`.
template <servable H>
H remote_handle(std::shared_ptr<const RemoteObject> remote) {
  H handle(refusing_owner());
  handle.object()->remote = std::move(remote);
  return handle;
}

}  // namespace csp::detail
