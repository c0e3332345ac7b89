// Owner actors: one CAF actor per owner runs the calls posted to it one at a time, so the state
// it owns is touched by one thread at a time and never needs a mutex of its own. A call posted
// to an idle owner runs at once in the caller's thread; otherwise it waits in the owner's inbox,
// and a CAF message wakes the actor only when the inbox was idle, so a burst costs one message
// (as executor.cpp wakes executors).

#include "csp/shared/detail/owner.hpp"

#include <caf/all.hpp>
#include <condition_variable>
#include <mutex>
#include <unordered_set>
#include <vector>

#include "csp/errors.hpp"
#include "../runtime.hpp"

namespace csp::detail {

namespace {

using run_atom = caf::atom_constant<caf::atom("run")>;

thread_local bool inside_owner = false;

/// Calls posted and not yet run; shared by an owner's handle side and its actor, which may
/// outlive each other.
struct Inbox {
  std::mutex mutex;
  std::vector<std::shared_ptr<Call>> calls;
  bool scheduled = false;  // someone runs calls: a caller in place, or the actor (woken)
  bool stopped = false;
};

// Owner actors that have not terminated, so that stop_owners() can end them all before the
// actor system goes (an actor destroyed after its system crashes in CAF's cleanup).
struct Owners {
  std::mutex mutex;
  std::condition_variable ended;
  std::size_t running = 0;
  std::unordered_set<class ActorOwner*> live;
};

Owners& owners() {
  static Owners* o = new Owners;  // handles may outlive static destruction
  return *o;
}

/// Runs calls as their owner (an update function inside may not block).
void run_calls(const std::shared_ptr<Call>* calls, std::size_t n) {
  bool outer = std::exchange(inside_owner, true);  // a fire-and-forget post from inside another
  for (std::size_t i = 0; i < n; ++i) calls[i]->run(calls[i]);
  inside_owner = outer;
}

class OwnerActor final : public caf::event_based_actor {
 public:
  OwnerActor(caf::actor_config& cfg, std::shared_ptr<Inbox> inbox)
      : caf::event_based_actor(cfg), inbox_(std::move(inbox)) {}

  caf::behavior make_behavior() override {
    return {[this](run_atom) { run(); }};
  }
  void on_exit() override {
    // Calls that will never run keep their objects, and so this owner, alive: drop them.
    std::vector<std::shared_ptr<Call>> dropped;
    {
      std::lock_guard lock(inbox_->mutex);
      dropped.swap(inbox_->calls);
    }
    dropped.clear();
    Owners& o = owners();
    std::lock_guard lock(o.mutex);
    --o.running;
    o.ended.notify_all();
  }

 private:
  // One batch per message, so that a busy owner lets other actors on its thread run between.
  void run() {
    std::vector<std::shared_ptr<Call>> batch;
    {
      std::lock_guard lock(inbox_->mutex);
      batch.swap(inbox_->calls);
    }
    run_calls(batch.data(), batch.size());
    batch.clear();
    {
      std::lock_guard lock(inbox_->mutex);
      if (inbox_->calls.empty()) {
        inbox_->scheduled = false;
        return;
      }
    }
    send(caf::actor_cast<caf::actor>(this), run_atom::value);
  }

  std::shared_ptr<Inbox> inbox_;
};

class ActorOwner final : public Owner {
 public:
  ActorOwner() {
    // Hidden: an owner lives as long as handles to it do, and must not hold up the runtime's
    // shutdown, which waits for every visible actor.
    actor_ = runtime().system().spawn<OwnerActor, caf::hidden>(inbox_);
    Owners& o = owners();
    std::lock_guard lock(o.mutex);
    ++o.running;
    o.live.insert(this);
  }
  ~ActorOwner() override {
    Owners& o = owners();
    std::lock_guard lock(o.mutex);
    o.live.erase(this);
  }

  bool post(std::shared_ptr<Call> call) override {
    // Keeps the inbox alive through a call that may end the last handle to this owner.
    std::shared_ptr<Inbox> inbox = inbox_;
    {
      std::lock_guard lock(inbox->mutex);
      if (inbox->stopped) return false;
      if (inbox->scheduled) {
        inbox->calls.push_back(std::move(call));
        return true;
      }
      inbox->scheduled = true;
    }
    // The owner is idle: run the call right here, still one at a time (the local fast path,
    // with no thread hand-over). Calls posted meanwhile go to the actor.
    run_calls(&call, 1);
    call.reset();
    {
      std::lock_guard lock(inbox->mutex);
      if (inbox->calls.empty()) {
        inbox->scheduled = false;
        return true;
      }
    }
    caf::anon_send(actor_, run_atom::value);  // queued calls keep this owner alive
    return true;
  }
  /// Refuses later posts; the actor to end.
  caf::actor stop() {
    std::lock_guard lock(inbox_->mutex);
    inbox_->stopped = true;
    return actor_;
  }

 private:
  std::shared_ptr<Inbox> inbox_ = std::make_shared<Inbox>();
  caf::actor actor_;
};

}  // namespace

std::uintptr_t caller_id() noexcept { return reinterpret_cast<std::uintptr_t>(&current_context()); }

std::string object_name(std::string_view kind) {
  static std::atomic<std::uint64_t> count{0};
  return std::string(kind) + "-" + std::to_string(++count);
}

void check_not_in_owner() {
  if (inside_owner)
    throw Error(
        "a blocking operation of a shared object was called from inside an update function, "
        "which runs in an owner and must not wait");
}

Error stopped_error() { return Error("a shared object was used after csp::shutdown() stopped its owner"); }

std::shared_ptr<Owner> make_owner() { return std::make_shared<ActorOwner>(); }

void stop_owners() noexcept {
  Owners& o = owners();
  std::vector<caf::actor> actors;
  {
    std::lock_guard lock(o.mutex);
    for (ActorOwner* owner : o.live) actors.push_back(owner->stop());
  }
  for (auto& a : actors) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  actors.clear();
  // Bounded: an owner stuck in a user's update function must not hang the shutdown.
  std::unique_lock lock(o.mutex);
  o.ended.wait_for(lock, std::chrono::seconds(5), [&] { return o.running == 0; });
}

}  // namespace csp::detail
