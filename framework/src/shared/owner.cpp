// Owner actors: one CAF actor per owner runs the calls posted to it one at a time, so the state
// it owns is touched by one thread at a time and never needs a mutex.

#include "csp/shared/detail/owner.hpp"

#include <caf/all.hpp>

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
};

class ActorOwner final : public Owner {
 public:
  explicit ActorOwner(caf::actor actor) : actor_(std::move(actor)) {}
  void post(std::shared_ptr<Call> call) override {
    caf::anon_send(actor_, CallMessage{std::move(call)});
  }

 private:
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

std::shared_ptr<Owner> make_owner() {
  // Hidden: an owner lives as long as handles to it do, and must not hold up the runtime's
  // shutdown, which waits for every visible actor.
  return std::make_shared<ActorOwner>(runtime().system().spawn<OwnerActor, caf::hidden>());
}

}  // namespace csp::detail
