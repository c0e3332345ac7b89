// Owner actors: one CAF actor per owner runs the calls posted to it one at a time, so the state
// it owns is touched by one thread at a time and never needs a mutex.

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

struct CallMessage {
  std::shared_ptr<Call> call;
};

thread_local bool inside_owner = false;

}  // namespace

}  // namespace csp::detail

// Calls only ever travel between actors of one OS process.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(csp::detail::CallMessage)

namespace csp::detail {

namespace {

// Owners whose actors have not terminated, so that stop_owners() can end them all before the
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

class OwnerActor final : public caf::event_based_actor {
 public:
  using caf::event_based_actor::event_based_actor;

  caf::behavior make_behavior() override {
    return {[](const CallMessage& m) {
      inside_owner = true;
      m.call->run(m.call);
      inside_owner = false;
    }};
  }
  void on_exit() override {
    Owners& o = owners();
    std::lock_guard lock(o.mutex);
    --o.running;
    o.ended.notify_all();
  }
};

class ActorOwner final : public Owner {
 public:
  ActorOwner() {
    Owners& o = owners();
    // Hidden: an owner lives as long as handles to it do, and must not hold up the runtime's
    // shutdown, which waits for every visible actor.
    actor_ = runtime().system().spawn<OwnerActor, caf::hidden>();
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
    if (stopped_.load(std::memory_order_acquire)) return false;
    caf::anon_send(actor_, CallMessage{std::move(call)});
    return true;
  }
  /// Refuses later posts; the actor to end.
  caf::actor stop() {
    stopped_.store(true, std::memory_order_release);
    return actor_;
  }

 private:
  caf::actor actor_;
  std::atomic<bool> stopped_{false};
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

void throw_stopped() {
  throw Error("a shared object was used after csp::shutdown() stopped its owner");
}

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
