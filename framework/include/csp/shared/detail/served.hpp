// Shared objects that other OS processes reach: what the serving side runs for a request that
// arrives encoded, and the handle the other side gets, whose requests go back there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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

/// What an object served as an H is, as a client must name it: its state's type_name(), or the
/// handle's own `served_type()` where handle types share a state (RLock, BoundedSemaphore).
template <servable H>
const std::string& served_type() {
  if constexpr (requires { H::served_type(); }) return H::served_type();
  else return state_of<H>::type_name();
}

/// What a handle to `handle`'s object in another OS process is made with after its owner: what
/// the handle reads, or uses, without asking. The handle's own `local_part()` where handles of
/// one object differ (a pipe end's side and direction), else its state's (a barrier's parties,
/// an array's size, a queue's maxsize, a condition's lock), else nothing.
template <class H>
auto local_part(const H& handle) {
  const auto& state = handle.object()->state;
  if constexpr (requires { handle.local_part(); }) return handle.local_part();
  else if constexpr (requires { state.local_part(); }) return state.local_part();
  else return std::tuple<>();
}

/// The name local parts are encoded under in error messages.
inline constexpr std::string_view local_part_name = "shared-object local part";

class ServedObject;

/// Serves `part`, a shared object in the local part of an object being attached (a condition's
/// lock), to the same peer: the number under which the peer attaches it.
using LendPart = std::function<std::uint64_t(std::shared_ptr<ServedObject> part)>;

/// What gives back what an answer took from a state (a queue item, a lock) when the answer is
/// never taken.
class Undo {
 public:
  virtual ~Undo() = default;
  virtual void run() noexcept = 0;
};

/// One peer's connection, as the requests it sent see it: each is answered from whichever thread
/// completes it, and those still unanswered when the peer goes are abandoned.
class Requester {
 public:
  virtual ~Requester() = default;
  /// The caller (as caller_id() names local ones, and never one of them) that stands for the
  /// peer's process `client`, its caller_id() there: what a lock records as its holder.
  virtual std::uintptr_t caller(std::uint64_t client) = 0;
  /// Notes `call`, the request `seq`, as unanswered; before it is posted.
  virtual void track(std::uint64_t seq, std::shared_ptr<Call> call) = 0;
  /// Sends the answer to request `seq` on object `id` (an error message if `failed`). `undo`
  /// (none where the answer took nothing) runs unless the peer says its caller took the answer:
  /// it runs if the peer has gone or goes first, or gives the answer back.
  virtual void answer(std::uint32_t id, std::uint64_t seq, bool failed, std::span<const std::byte> tail,
                      std::unique_ptr<Undo> undo) noexcept = 0;
};

/// An object served to other OS processes, whatever its type.
class ServedObject {
 public:
  virtual ~ServedObject() = default;
  /// What the object is, as a client must name it.
  virtual const std::string& type() const noexcept = 0;
  /// The object's name, which the handles of clients bear too.
  virtual const std::string& name() const noexcept = 0;
  /// Its local_part(), encoded for a client's handle, each part that is a shared object itself
  /// served through `lend` (as the number it returns).
  virtual std::vector<std::byte> local_part(const LendPart& lend) const = 0;
  /// Posts one encoded request, `seq` on object `id`, to the object's owner; `to` gets its
  /// answer once the owner gives it. csp::Error on a malformed request.
  virtual void start(std::span<const std::byte> request, std::uint32_t id, std::uint64_t seq,
                     const std::shared_ptr<Requester>& to) const = 0;
};

/// The tail of a failed request's answer: the message of the exception `e` it failed with, and
/// its kind where that is not a plain error, as failure_error decodes it.
std::vector<std::byte> failure_message(std::exception_ptr e);

/// The serving side of objects of state State: what ServedOf runs for each handle type.
template <remote_state State>
class Serving {
  using Ops = typename State::remote_ops;

 public:
  static void start(const std::shared_ptr<Object<State>>& object, std::span<const std::byte> request,
                    std::uint32_t id, std::uint64_t seq, const std::shared_ptr<Requester>& to) {
    Decoder in(request, request_name);
    std::uintptr_t caller = caller_of(in, *to);
    with_op(in, [&]<class Op>(Op op) {
      if (!in.done()) in.fail("bytes left over after the request");
      run(object, std::move(op), caller, id, seq, to);
    });
  }

 private:
  // Decodes a request's caller from `in`, as `from`'s.
  static std::uintptr_t caller_of(Decoder& in, Requester& from) {
    std::uint64_t client;
    in.get(client);
    return from.caller(client);
  }

  // Decodes a request from `in` and calls `f` with it.
  template <class F>
  static void with_op(Decoder& in, F&& f) {
    std::uint8_t index;
    in.get(index);
    bool known = [&]<std::size_t... I>(std::index_sequence<I...>) {
      return ((index == I && (f(decode_op<std::tuple_element_t<I, Ops>>(in)), true)) || ...);
    }(std::make_index_sequence<std::tuple_size_v<Ops>>{});
    if (!known) in.fail("an unknown operation");
  }

  template <class Op>
  static Op decode_op(Decoder& in) {
    Op op{};
    in.get(op);
    return op;
  }

  template <class Op>
  static void run(const std::shared_ptr<Object<State>>& object, Op op, std::uintptr_t caller, std::uint32_t id,
                  std::uint64_t seq, const std::shared_ptr<Requester>& to) {
    auto call = std::make_shared<OpCall<State, Op>>(object, std::move(op), caller);
    call->route_answer(std::make_unique<AnswerRoute>(AnswerRoute{&send<Op>, object, to, id, seq}));
    to->track(seq, call);
    if (!object->owner->post(call) && call->claim()) call->fail(std::make_exception_ptr(stopped_error()));
  }

  // Whether an answer took something from the state, for its undo to give back: not a false or
  // an empty one (a lock or a unit not granted, no item).
  template <class A>
  static bool took_something(const A& answer) noexcept {
    if constexpr (std::is_same_v<A, bool>) return answer;
    else if constexpr (requires { answer.has_value(); }) return answer.has_value();
    else return true;
  }

  // Gives back `op` (an undo) to the object, if it is still there.
  template <class UndoOp>
  class Undoing final : public Undo {
   public:
    Undoing(std::weak_ptr<void> object, UndoOp op, std::uintptr_t caller) noexcept
        : object_(std::move(object)), op_(std::move(op)), caller_(caller) {}
    void run() noexcept override {
      if (auto object = object_.lock()) post(std::static_pointer_cast<Object<State>>(object), std::move(op_), caller_);
    }

   private:
    std::weak_ptr<void> object_;
    UndoOp op_;
    std::uintptr_t caller_;
  };

  template <class Op>
  static void send(Call& call, AnswerRoute& route) noexcept {
    auto& c = static_cast<OpCall<State, Op>&>(call);
    std::optional<answer_t<typename Op::result>> value;
    std::vector<std::byte> tail;
    bool failed = false;
    try {
      value.emplace(c.take());
      encode_answer(*value, tail);
    } catch (...) {
      failed = true;
      tail = failure_message(std::current_exception());
    }
    std::unique_ptr<Undo> undo;
    if constexpr (undoable<Op>) {
      if (value && took_something(*value)) {
        using UndoOp = decltype(c.op().undo(*value));
        undo = std::make_unique<Undoing<UndoOp>>(route.object, c.op().undo(*value), c.caller());
      }
    }
    route.to->answer(route.id, route.seq, failed, tail, std::move(undo));
  }
};

/// An object served as an H: the handle keeps it (and what the handle owns) alive while served.
template <servable H>
class ServedOf final : public ServedObject {
 public:
  explicit ServedOf(H handle) : handle_(std::move(handle)) {}

  const H& handle() const noexcept { return handle_; }
  const std::string& type() const noexcept override { return served_type<H>(); }
  const std::string& name() const noexcept override { return handle_.name(); }
  std::vector<std::byte> local_part(const LendPart& lend) const override {
    std::vector<std::byte> encoded;
    encoded.reserve(16);  // also keeps GCC 12 from false warnings on a known-empty vector
    Encoder out(encoded, local_part_name);
    std::apply([&](const auto&... part) { (put_part(out, part, lend), ...); }, detail::local_part(handle_));
    return encoded;
  }

  void start(std::span<const std::byte> request, std::uint32_t id, std::uint64_t seq,
             const std::shared_ptr<Requester>& to) const override {
    Serving<state_of<H>>::start(handle_.object(), request, id, seq, to);
  }

 private:
  template <class Part>
  static void put_part(Encoder& out, const Part& part, const LendPart& lend) {
    if constexpr (servable<Part>) out.put(lend(std::make_shared<ServedOf<Part>>(part)));
    else out.put(part);
  }

  H handle_;
};

/// The owner of every object served by another OS process: it refuses the requests that do not
/// cross (update(fn)) with a csp::Error.
std::shared_ptr<Owner> refusing_owner();

/// A handle of type H whose requests go to the object behind `remote`, named as it is, and made
/// with the served object's local part.
template <servable H>
H remote_handle(std::shared_ptr<const RemoteObject> remote);

template <class Part>
Part decode_part(Decoder& in, const RemoteObject& whole) {
  if constexpr (servable<Part>) {
    std::uint64_t number = 0;
    in.get(number);
    return remote_handle<Part>(whole.attach_part(number, served_type<Part>()));
  } else {
    Part part{};
    in.get(part);
    return part;
  }
}

template <class... Parts>
std::tuple<Parts...> decode_parts(Decoder& in, const RemoteObject& whole, std::type_identity<std::tuple<Parts...>>) {
  return {decode_part<Parts>(in, whole)...};  // braces: decoded in order
}

template <servable H>
H remote_handle(std::shared_ptr<const RemoteObject> remote) {
  Decoder in(remote->local_part(), local_part_name);
  auto parts = decode_parts(in, *remote, std::type_identity<decltype(local_part(std::declval<const H&>()))>());
  if (!in.done()) in.fail("bytes left over");
  H handle = std::apply(
      [&](auto&&... made_with) { return H(Origin(refusing_owner(), remote->name()), std::move(made_with)...); },
      std::move(parts));
  handle.object()->remote = std::move(remote);
  return handle;
}

}  // namespace csp::detail
