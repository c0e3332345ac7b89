// The named managers of this runtime, found by the sessions of csp::serve, the owner that
// stands for objects served by another OS process, and how their failed requests cross.

#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "csp/shared/manager.hpp"

namespace csp::detail {

namespace {

struct Managers {
  std::mutex mutex;
  std::map<std::string, std::weak_ptr<Directory>> named;
};

Managers& managers() {
  static Managers* m = new Managers;  // managers may go during exit
  return *m;
}

// Answers every request with the error instead of throwing from post(): a request nobody waits
// for (the lock clean-up of a failed or terminated process) must not throw where it is sent.
class RefusingOwner final : public Owner {
 public:
  bool post(std::shared_ptr<Call> call) override {
    if (call->claim())
      call->fail(std::make_exception_ptr(Error(
          "a shared object served by another process takes only its plain requests: update(fn) "
          "and the unnamed objects of a connected Manager do not cross")));
    return true;
  }
};

}  // namespace

Error wrong_object_type(const std::string& manager, const std::string& object, const std::string& held,
                        const std::string& wanted) {
  return Error(fmt::format("object '{}' of manager '{}' is a '{}', not a '{}'", object, manager, held, wanted));
}

std::size_t count_to_make(const std::string& manager, const std::string& object, const char* what,
                          std::optional<std::size_t> count) {
  if (!count)
    throw Error(fmt::format("manager '{}' has no object '{}', and making it takes its {}", manager, object, what));
  return *count;
}

void check_count(const std::string& manager, const std::string& object, const char* what,
                 std::optional<std::size_t> wanted, std::size_t held) {
  if (wanted && *wanted != held)
    throw Error(fmt::format("object '{}' of manager '{}' has {} {}, not {}", object, manager, held, what, *wanted));
}

std::shared_ptr<ServedObject> Directory::find(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = objects_.find(name);
  return it == objects_.end() ? nullptr : it->second;
}

std::shared_ptr<Directory> register_manager(const std::string& name) {
  Managers& m = managers();
  std::lock_guard lock(m.mutex);
  std::weak_ptr<Directory>& slot = m.named[name];
  if (!slot.expired()) throw Error(fmt::format("a manager named '{}' exists already", name));
  auto directory = std::make_shared<Directory>(name);
  slot = directory;
  return directory;
}

std::shared_ptr<ServedObject> find_served(const std::string& manager, const std::string& object,
                                          std::string& refusal) {
  std::shared_ptr<Directory> directory;
  {
    Managers& m = managers();
    std::lock_guard lock(m.mutex);
    if (auto it = m.named.find(manager); it != m.named.end()) directory = it->second.lock();
  }
  if (!directory) {
    refusal = fmt::format("no manager '{}' is served here", manager);
    return nullptr;
  }
  std::shared_ptr<ServedObject> found = directory->find(object);
  if (!found) refusal = fmt::format("manager '{}' has no object '{}'", manager, object);
  return found;
}

namespace {

// The byte after a failure's message that says which error it is; none for a csp::Error.
enum class FailureKind : std::uint8_t { broken_barrier = 1, not_held };

// A failure's tail: the error message `what`, then its `kind` if any, as failure_error decodes it.
std::vector<std::byte> encode_failure(std::string_view what, std::optional<FailureKind> kind = std::nullopt) {
  std::vector<std::byte> tail;
  encode(std::string(what), tail);
  if (kind) tail.push_back(static_cast<std::byte>(*kind));
  return tail;
}

}  // namespace

std::vector<std::byte> failure_message(std::exception_ptr e) {
  try {
    std::rethrow_exception(std::move(e));
  } catch (const BrokenBarrierError& error) {
    return encode_failure(error.what(), FailureKind::broken_barrier);
  } catch (const NotHeldError& error) {
    return encode_failure(error.what(), FailureKind::not_held);
  } catch (const std::exception& error) {
    return encode_failure(error.what());
  } catch (...) {  // from a user type's copy, say: the session goes on
    return encode_failure("an exception that is not a std::exception");
  }
}

std::exception_ptr failure_error(std::span<const std::byte> tail) {
  Decoder in(tail, "shared-object failure");
  std::string what;
  in.get(what);
  if (in.done()) return std::make_exception_ptr(Error(std::move(what)));
  FailureKind kind;
  in.get(kind);
  if (in.done()) {
    switch (kind) {
      case FailureKind::broken_barrier:
        return std::make_exception_ptr(BrokenBarrierError(std::move(what)));
      case FailureKind::not_held:
        return std::make_exception_ptr(NotHeldError(std::move(what)));
    }
  }
  in.fail("an unknown kind of failure");
}

std::shared_ptr<Owner> refusing_owner() {
  static const auto* owner = new std::shared_ptr<Owner>(std::make_shared<RefusingOwner>());  // used during exit
  return *owner;
}

}  // namespace csp::detail
