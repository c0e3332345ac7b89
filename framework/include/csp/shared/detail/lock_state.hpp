// The state behind Lock and RLock, owned by an owner actor: who holds it, who waits, and the
// Value and Array requests held back while another process holds their get_lock().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "csp/shared/detail/owner.hpp"
#include "csp/shared/detail/wait_queue.hpp"

namespace csp::detail {

/// A lock released by a process that does not hold it; it crosses processes as itself, so that
/// Condition::wait tells it from the other failures of a release (a lost connection).
class NotHeldError : public Error {
 public:
  using Error::Error;
};

class LockState {
 public:
  LockState(std::string name, bool reentrant);
  ~LockState();
  LockState(const LockState&) = delete;
  LockState& operator=(const LockState&) = delete;

  /// Gives up every level the caller holds; its result is how many there were.
  struct ReleaseAll {
    using result = unsigned;
  };
  /// Takes the lock (`count` levels, to restore what ReleaseAll gave up); false only when not
  /// `blocking` and held by another.
  struct Acquire {
    using result = bool;
    bool blocking = true;
    unsigned count = 1;
    /// A caller interrupted after being granted gives the lock back.
    ReleaseAll undo(bool&) const { return {}; }
  };
  struct Release {
    using result = void;
  };
  struct Locked {
    using result = bool;
  };
  /// The holders `h` with `(h & mask) == holder` have ended: the lock is freed if one of them
  /// holds it, and its next acquirer told `why` ("its holder 'P' ended with an exception").
  struct HolderEnded {
    using result = void;
    std::uintptr_t holder;
    std::uintptr_t mask;
    std::string why;
  };
  /// Other OS processes use a lock through these, each process a holder of its own.
  using remote_ops = std::tuple<Acquire, Release, ReleaseAll, Locked>;
  static constexpr bool holds_messages = true;
  static const std::string& type_name();

  void handle(Acquire& op, Reply<bool>& reply);
  void handle(Release& op, Reply<void>& reply);
  void handle(ReleaseAll& op, Reply<unsigned>& reply);
  bool handle(Locked&) const noexcept { return holder_ != 0; }
  void handle(HolderEnded& op);

  /// For a request guarded by this lock: true if it may run now (nobody else holds the lock);
  /// otherwise the lock keeps `call` and runs it again once free, in turn with acquirers.
  bool admit(const std::shared_ptr<Call>& call);

  const std::string& name() const noexcept { return name_; }

 private:
  struct Waiting {
    std::shared_ptr<Call> call;
    std::optional<Reply<bool>> grant;  // empty for a guarded request to run again
    unsigned count = 1;
    bool pending() const noexcept { return call->pending(); }
  };

  /// Gives the free lock to `reply`'s caller (or tells it the last holder failed).
  void grant(Reply<bool>& reply, unsigned count);
  /// Frees the lock by `caller` (`all` levels, or one); throws if `caller` does not hold it.
  unsigned release(std::uintptr_t caller, bool all);
  /// Hands the free lock on: runs waiting guarded requests and grants the first acquirer.
  void hand_on();

  std::string name_;
  bool reentrant_;
  std::uintptr_t holder_ = 0;
  unsigned count_ = 0;
  std::string abandoned_by_;  // why, until the next acquirer has been told
  WaitQueue<Waiting> waiting_;
};

/// Frees every Lock and RLock that `holder` (see caller_id()) holds and makes each one's next
/// acquirer fail with csp::Error naming `name`, then tells the listeners (see on_holder_ended):
/// for the runtime, when a process ends with an exception while holding locks.
void holder_ended(std::uintptr_t holder, std::string_view name);

/// What else learns that a holder ended: the layer that uses other runtimes' objects, whose
/// locks this runtime's processes may hold there.
using HolderEndedListener = void (*)(std::uintptr_t holder, std::string_view name) noexcept;
/// Has `listener` called by every later holder_ended().
void on_holder_ended(HolderEndedListener listener);

/// Frees every Lock and RLock held by a holder `h` with `(h & mask) == holder` and makes each
/// one's next acquirer fail with csp::Error saying `why`: for the serving side, when a peer whose
/// processes are such holders has gone.
void holders_ended(std::uintptr_t holder, std::uintptr_t mask, const std::string& why);

}  // namespace csp::detail
