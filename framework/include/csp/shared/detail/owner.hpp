// The machinery behind every shared-state handle: an owner actor runs requests on the state it
// owns one at a time, and the caller (a process or a thread) parks until its reply arrives.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>

#include "csp/detail/completion.hpp"
#include "csp/errors.hpp"
#include "csp/shared/detail/remote_object.hpp"

namespace csp::detail {

/// The deadline `timeout` from now.
template <class Rep, class Period>
Clock::time_point deadline_after(std::chrono::duration<Rep, Period> timeout) {
  return Clock::now() + std::chrono::ceil<Clock::duration>(timeout);
}

/// A fresh name for a shared object, "<kind>-<n>", for error messages.
std::string object_name(std::string_view kind);

/// Throws csp::Error when called from inside an owner (an update function that calls a blocking
/// operation of a shared object would stall that owner, or wait for itself forever).
void check_not_in_owner();

class Call;
class Requester;

/// Where the answer to a request from another OS process goes instead of to a waiter: `send`
/// sends it to the peer `to` (see Serving), or, if the peer has gone, gives back what it took
/// from the state.
struct AnswerRoute {
  void (*send)(Call& call, AnswerRoute& route) noexcept;
  std::weak_ptr<void> object;  // the state may keep the call: no cycle
  std::shared_ptr<Requester> to;
  std::uint32_t id;
  std::uint64_t seq;
};

/// One request in flight: the owner runs it on the state it addresses and answers it once; the
/// caller waits for the answer. The caller may give up (a timeout, a terminated process), so
/// the owner answers only after claiming the call, and an answer nobody claims is never lost.
class Call {
 public:
  explicit Call(std::uintptr_t caller) noexcept : caller_(caller) {}
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;
  virtual ~Call() = default;

  /// Runs on the owner; `self` owns this call. A state may keep `self` and run it again later.
  virtual void run(const std::shared_ptr<Call>& self) noexcept = 0;

  /// Who sent it (caller_id()); 0 for a request nobody waits for.
  std::uintptr_t caller() const noexcept { return caller_; }

  /// Owner side: takes the sole right to answer; false once the caller has given up.
  bool claim() noexcept { return transition(waiting, claimed); }
  /// Caller side: gives up the answer; false if the owner has already claimed it.
  bool abandon() noexcept { return transition(waiting, abandoned); }
  /// Whether the caller still waits for an answer.
  bool pending() const noexcept { return state_.load(std::memory_order_acquire) == waiting; }

  /// Owner side, after claim(): answers with an error, rethrown in the caller.
  void fail(std::exception_ptr e) {
    error_ = std::move(e);
    finish();
  }

  /// Caller side: waits for the answer (or `deadline`); true once answered.
  bool wait(std::optional<Clock::time_point> deadline = std::nullopt) {
    return done_.wait(deadline);
  }
  /// Caller side, after the owner claimed: the answer is being written right now (a few
  /// instructions on the owner's thread), so it waits without parking, which a terminated or
  /// unwinding process could not do.
  void settle() const noexcept {
    while (!done_.completed()) std::this_thread::yield();
  }

  /// For a call whose caller is in another OS process: its answer takes `route` (on the thread
  /// that answers) instead of waking a waiter.
  void route_answer(std::unique_ptr<AnswerRoute> route) noexcept { route_ = std::move(route); }

 protected:
  void finish() {
    if (route_) [[unlikely]] route_->send(*this, *route_);
    else done_.complete();
  }
  void rethrow_error() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  enum : std::uint8_t { waiting, claimed, abandoned };
  bool transition(std::uint8_t from, std::uint8_t to) noexcept {
    return state_.compare_exchange_strong(from, to, std::memory_order_acq_rel);
  }

  std::atomic<std::uint8_t> state_{waiting};
  std::uintptr_t caller_;
  std::exception_ptr error_;
  std::unique_ptr<AnswerRoute> route_;
  Completion done_;
};

/// What a call with result R answers: R itself, or std::monostate for void.
template <class R>
using answer_t = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

/// A call whose answer is an R.
template <class R>
class Slot : public Call {
 public:
  using Call::Call;

  /// Owner side, after claim().
  void set(answer_t<R> v) {
    value_.emplace(std::move(v));
    finish();
  }
  /// Caller side, once answered: the answer, or the owner's error rethrown.
  answer_t<R> take() {
    rethrow_error();
    return std::move(*value_);
  }

 private:
  std::optional<answer_t<R>> value_;
};

/// An Op whose effect can be given back once its answer goes unused: `undo(answer)` is the Op
/// that does so (a queue item put back, a lock released).
template <class Op>
concept undoable = requires(const Op& op, answer_t<typename Op::result>& answer) { op.undo(answer); };

/// The owner's side of a call with result R: what states keep for callers that must wait.
template <class R>
class Reply {
 public:
  explicit Reply(std::shared_ptr<Slot<R>> slot) noexcept : slot_(std::move(slot)) {}

  std::uintptr_t caller() const noexcept { return slot_->caller(); }
  bool pending() const noexcept { return slot_->pending(); }

  /// Answers `v` unless the caller has given up; whether it answered.
  bool answer(answer_t<R> v = {}) {
    if (!slot_->claim()) return false;
    slot_->set(std::move(v));
    return true;
  }
  /// Answers `make()`, calling it only if the caller still waits: nothing is taken from the
  /// state for a caller that has left.
  template <class F>
  bool answer_with(F&& make) {
    if (!slot_->claim()) return false;
    slot_->set(std::forward<F>(make)());
    return true;
  }
  /// Answers with an error unless the caller has given up.
  bool fail(std::exception_ptr e) {
    if (!slot_->claim()) return false;
    slot_->fail(std::move(e));
    return true;
  }
  /// The call itself, to run again once the state can serve it.
  std::shared_ptr<Call> call() const noexcept { return slot_; }

 private:
  std::shared_ptr<Slot<R>> slot_;
};

/// Runs posted calls one at a time, in the order they arrive (a CAF actor).
class Owner {
 public:
  virtual ~Owner() = default;
  /// False (and `call` dropped) once the owner has stopped.
  virtual bool post(std::shared_ptr<Call> call) = 0;
};

/// What a handle makes its object with: the owner that runs the object's requests, and the
/// object's name if it has one already (a handle to an object another OS process serves bears
/// the name it has there); otherwise the object gets a fresh one.
struct Origin {
  Origin(std::shared_ptr<Owner> owner) noexcept : owner(std::move(owner)) {}  // implicit: a Manager's owner
  Origin(std::shared_ptr<Owner> owner, std::string name) noexcept
      : owner(std::move(owner)), name(std::move(name)) {}

  /// The object's name: the one given, or a fresh "<kind>-<n>".
  std::string name_or_fresh(std::string_view kind) && {
    return name.empty() ? object_name(kind) : std::move(name);
  }

  std::shared_ptr<Owner> owner;
  std::string name;
};

/// A new owner actor on the default runtime.
std::shared_ptr<Owner> make_owner();

/// Stops every owner actor and waits until they have ended; later requests to them throw
/// csp::Error. For the runtime, before it tears down its actor system: a CAF actor must end
/// before its system does.
void stop_owners() noexcept;

/// The csp::Error for a request to a stopped owner.
Error stopped_error();

/// A shared object: its state and the owner that runs every request on it. Only the owner
/// touches `state` after construction. An object served by another OS process has `remote`
/// set: its requests among the state's `remote_ops` go there, and its owner refuses the rest.
template <class State>
struct Object {
  using state_type = State;

  template <class... Args>
  explicit Object(std::shared_ptr<Owner> o, Args&&... args)
      : owner(std::move(o)), state(std::forward<Args>(args)...) {}

  std::shared_ptr<Owner> owner;
  State state;
  std::shared_ptr<const RemoteObject> remote;
};

/// A request `Op` (a plain struct naming its result type `Op::result`) addressed to a State,
/// which serves it with `R handle(Op&)` or, when it may have to wait or needs the caller,
/// `void handle(Op&, Reply<R>&)`. Errors thrown by the state go back to the caller.
template <class State, class Op>
class OpCall : public Slot<typename Op::result> {
 public:
  using R = typename Op::result;

  OpCall(std::shared_ptr<Object<State>> object, Op op, std::uintptr_t caller)
      : Slot<R>(caller), state_(&object->state), keep_(std::move(object)), op_(std::move(op)) {}

  /// The request; the caller may read it once answered.
  const Op& op() const noexcept { return op_; }

  void run(const std::shared_ptr<Call>& self) noexcept override {
    // The object stays alive while the call is in the mailbox; once run, a state that keeps
    // the call must not be kept alive by it (that would be a cycle).
    std::shared_ptr<Object<State>> keep = std::move(keep_);
    Reply<R> reply(std::static_pointer_cast<Slot<R>>(self));
    try {
      if constexpr (requires { state_->handle(op_, reply); }) {
        state_->handle(op_, reply);
      } else if constexpr (std::is_void_v<R>) {
        state_->handle(op_);
        reply.answer();
      } else {
        reply.answer(state_->handle(op_));
      }
    } catch (...) {
      reply.fail(std::current_exception());
    }
  }

 private:
  State* state_;
  std::shared_ptr<Object<State>> keep_;
  Op op_;
};

/// Posts `op` to `object`'s owner without waiting for its answer (which is dropped). Never
/// blocks, so it may be called anywhere, even from a destructor or inside an owner; `caller`
/// only where the op needs it (a release), since caller_id() makes the calling thread known to
/// deadlock detection.
template <class State, class Op>
void post(const std::shared_ptr<Object<State>>& object, Op op, std::uintptr_t caller = 0) {
  (void)object->owner->post(std::make_shared<OpCall<State, Op>>(object, std::move(op), caller));
}

/// For a call `c` its caller gave up after the owner had claimed it: the undo of an op with
/// `undo(answer_t<R>&) const` is posted, so what the caller can no longer use goes back (a lock,
/// a queue item).
template <class State, class Op>
void undo_answer(const std::shared_ptr<Object<State>>& object, OpCall<State, Op>& c) noexcept {
  c.settle();
  if constexpr (undoable<Op>) {
    try {
      auto v = c.take();
      post(object, c.op().undo(v), c.caller());
    } catch (...) {  // the request failed: nothing to give back
    }
  }
}

/// A request sent, whose answer its caller awaits later (see Handle::begin). Never awaited, it
/// is withdrawn as it goes, and an answer it got meanwhile is undone.
template <class State, class Op>
class InFlight {
 public:
  using answer_type = answer_t<typename Op::result>;

  /// To `object`'s owner.
  InFlight(std::shared_ptr<Object<State>> object, std::shared_ptr<OpCall<State, Op>> call) noexcept
      : object_(std::move(object)), call_(std::move(call)) {}
  /// To the serving side of an object served by another OS process.
  explicit InFlight(std::unique_ptr<RemoteCall> remote) noexcept : remote_(std::move(remote)) {}
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  ~InFlight() {
    if (call_ && !call_->abandon()) undo_answer(object_, *call_);
  }

  /// Waits (once) for the answer, or until `deadline`: empty if it passed first (see
  /// Handle::call_until).
  std::optional<answer_type> wait(std::optional<Clock::time_point> deadline) {
    if (remote_) {
      std::optional<std::vector<std::byte>> answer = remote_->wait(deadline);
      if (!answer) return std::nullopt;
      return decode_answer<answer_type>(*answer);
    }
    std::shared_ptr<OpCall<State, Op>> c = std::move(call_);
    bool answered;
    try {
      answered = c->wait(deadline);
    } catch (...) {
      if (!c->abandon()) undo_answer(object_, *c);
      throw;
    }
    if (!answered) {
      if (c->abandon()) return std::nullopt;
      c->settle();
    }
    return c->take();
  }

 private:
  std::shared_ptr<Object<State>> object_;
  std::shared_ptr<OpCall<State, Op>> call_;  // until awaited
  std::unique_ptr<RemoteCall> remote_;
};

/// Base of every handle: cheap to copy, usable from any process or thread. Its calls park a
/// process (or block a thread) until the owner answers.
template <class State>
class Handle {
 public:
  /// The object behind the handle, for the library's composites (a Value and its lock).
  const std::shared_ptr<Object<State>>& object() const noexcept { return object_; }

 protected:
  /// A new object from `origin`, named after `kind` unless `origin` names it; its state is made
  /// with its name, then `args`.
  template <class... Args>
  Handle(Origin origin, std::string_view kind, Args&&... args)
      : object_(std::make_shared<Object<State>>(std::move(origin.owner), std::move(origin).name_or_fresh(kind),
                                                std::forward<Args>(args)...)) {}
  /// Another handle to an existing object.
  explicit Handle(std::shared_ptr<Object<State>> object) noexcept : object_(std::move(object)) {}

  /// The state, for reading what never changes after construction (its name, a size).
  const State& state() const noexcept { return object_->state; }

  /// Sends `op` and waits for its answer. If the wait is interrupted (a terminated or unwinding
  /// process) after the owner has answered, an op with `Undo undo(answer_t<R>&) const` has that
  /// undo posted, so what the caller can no longer use goes back (a lock, a queue item).
  template <class Op>
  answer_t<typename Op::result> call(Op op) const {
    if constexpr (crosses<State, Op>) {
      if (object_->remote) [[unlikely]] return *begin(std::move(op)).wait(std::nullopt);
    }
    return await(start(std::move(op)));
  }

  /// Sends `op` and waits until `deadline`; empty if the deadline passed first (the owner then
  /// drops the request; one served by another OS process is withdrawn there, and its answer
  /// used if it was given before the withdrawal arrived).
  template <class Op>
  std::optional<answer_t<typename Op::result>> call_until(Op op, Clock::time_point deadline) const {
    return begin(std::move(op)).wait(deadline);
  }

  /// Sends `op` and returns what to await its answer with, later. Requests to an object served
  /// by another OS process reach it in the order they were sent, as local ones reach their
  /// owner (a condition's waiter is queued before it releases the lock).
  template <class Op>
  InFlight<State, Op> begin(Op op) const {
    if constexpr (crosses<State, Op>) {
      if (object_->remote) [[unlikely]] {
        check_not_in_owner();
        return InFlight<State, Op>(object_->remote->start(encode_request<State>(op)));
      }
    }
    return InFlight<State, Op>(object_, start(std::move(op)));
  }

  /// Sends `op` whose effect cannot be refused (a release): waits for its answer to report
  /// misuse, except where waiting is impossible (during unwinding, or in a terminated
  /// process), where the request still takes effect but its answer is dropped.
  template <class Op>
  void call_release(Op op) const {
    if (std::uncaught_exceptions() > 0 || current_context().cancelled()) {
      send(std::move(op));
      return;
    }
    if constexpr (crosses<State, Op>) {
      if (object_->remote) [[unlikely]] {
        call(std::move(op));
        return;
      }
    }
    auto c = make_call(std::move(op));
    // A stopped owner (after csp::shutdown()) has nothing left to release.
    if (object_->owner->post(c)) await(c);
  }

  /// Sends `op` without waiting for its answer (to an object served by another OS process too:
  /// a release while unwinding, a timed-out barrier waiter's abort).
  template <class Op>
  void send(Op op) const {
    if constexpr (crosses<State, Op>) {
      if (object_->remote) [[unlikely]] {
        object_->remote->post(encode_request<State>(op));
        return;
      }
    }
    post(object_, std::move(op), caller_id());
  }

  /// Sends `op` and returns the call to wait on later.
  template <class Op>
  std::shared_ptr<OpCall<State, Op>> start(Op op) const {
    auto c = make_call(std::move(op));
    if (!object_->owner->post(c)) throw stopped_error();
    return c;
  }

 private:
  template <class Op>
  std::shared_ptr<OpCall<State, Op>> make_call(Op op) const {
    check_not_in_owner();
    return std::make_shared<OpCall<State, Op>>(object_, std::move(op), caller_id());
  }

  template <class Op>
  answer_t<typename Op::result> await(const std::shared_ptr<OpCall<State, Op>>& c) const {
    try {
      c->wait();
    } catch (...) {
      if (!c->abandon()) undo_answer(object_, *c);
      throw;
    }
    return c->take();
  }

  std::shared_ptr<Object<State>> object_;
};

}  // namespace csp::detail
