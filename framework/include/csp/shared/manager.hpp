// csp::Manager (Python's multiprocessing.Manager()): one owner actor that owns every object it
// makes (dict, list, Namespace, Queue, Value, Array and the synchronization objects). A named
// manager (Python's BaseManager) is served by csp::serve, and other OS processes find its named
// objects.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "csp/remote/connect.hpp"
#include "csp/shared/array.hpp"
#include "csp/shared/barrier.hpp"
#include "csp/shared/condition.hpp"
#include "csp/shared/dict.hpp"
#include "csp/shared/event.hpp"
#include "csp/shared/list.hpp"
#include "csp/shared/lock.hpp"
#include "csp/shared/namespace.hpp"
#include "csp/shared/queue.hpp"
#include "csp/shared/semaphore.hpp"
#include "csp/shared/detail/served.hpp"
#include "csp/shared/value.hpp"

namespace csp {

namespace detail {

/// "object '<object>' of manager '<manager>' is a '<held>', not a '<wanted>'".
Error wrong_object_type(const std::string& manager, const std::string& object, const std::string& held,
                        const std::string& wanted);

/// A manager's objects by name.
class Directory {
 public:
  explicit Directory(std::string manager) : manager_(std::move(manager)) {}

  /// The object called `name`, made by `make()` if there is none yet; csp::Error if it is not
  /// an H.
  template <servable H, class Make>
  H find_or_make(const std::string& name, Make make) {
    std::lock_guard lock(mutex_);
    std::shared_ptr<ServedObject>& slot = objects_[name];
    if (!slot) slot = std::make_shared<ServedOf<H>>(make());
    auto* served = dynamic_cast<const ServedOf<H>*>(slot.get());
    if (!served) throw wrong_object_type(manager_, name, slot->type(), served_type<H>());
    return served->handle();
  }
  /// The object called `name`, or null.
  std::shared_ptr<ServedObject> find(const std::string& name) const;

 private:
  std::string manager_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<ServedObject>> objects_;
};

/// `count` (a barrier's parties, an array's elements) that object `object` of manager `manager`
/// is made with; csp::Error if it is not given.
std::size_t count_to_make(const std::string& manager, const std::string& object, const char* what,
                          std::optional<std::size_t> count);
/// csp::Error unless object `object` of manager `manager`, which has `held` `what` (parties,
/// elements), has `wanted` of them, if given.
void check_count(const std::string& manager, const std::string& object, const char* what,
                 std::optional<std::size_t> wanted, std::size_t held);

/// The directory of a new manager called `name`, which csp::serve serves; csp::Error if a
/// manager of that name exists.
std::shared_ptr<Directory> register_manager(const std::string& name);

/// For csp::serve: the object `object` of this runtime's manager `manager`, or null with the
/// reason in `refusal`.
std::shared_ptr<ServedObject> find_served(const std::string& manager, const std::string& object,
                                          std::string& refusal);

}  // namespace detail

/// Makes shared objects that all live in (and are served one request at a time by) this
/// manager's owner actor. The objects stay usable while any handle to them exists. Copies of
/// a Manager share its owner.
///
/// Objects may also be named: `m.dict<std::string, int>("stock")` is the same dict for the same
/// name, and so are the lower-case dict, list, value, array, queue, namespace_, lock, rlock,
/// condition, event, semaphore, bounded_semaphore and barrier. What an object is made with (an
/// initial value, a barrier's parties) is used only when the name is new. A named manager,
/// `csp::Manager m("inventory")`, is served by csp::serve (also if made later) while a copy of
/// it exists; another OS process reaches it with `csp::Manager m("inventory", csp::Connect{host,
/// port, key})`, whose named objects are handles to the served ones: the same semantics,
/// including what a handle knows without asking (a barrier's parties, an array's size, a
/// queue's maxsize: the served object's). Their requests cross (each is one round trip), also
/// with a timeout, and a value's or array's get_lock() is the served one's; update(fn) and the
/// unnamed objects of a connected manager do not cross, and throw csp::Error.
class Manager {
 public:
  Manager() : owner_(detail::make_owner()), directory_(std::make_shared<detail::Directory>("")) {}
  /// A named manager; csp::Error if this runtime has one of that name already.
  explicit Manager(const std::string& name)
      : owner_(detail::make_owner()), directory_(detail::register_manager(name)), name_(name) {}
  /// The manager `name` served at `where`.
  Manager(std::string name, Connect where)
      : owner_(detail::refusing_owner()), name_(std::move(name)), where_(std::move(where)) {}

  /// The dict called `name` (made empty if there is none); csp::Error if it is of other types.
  template <class K, class V>
  Dict<K, V> dict(const std::string& name) const {
    return named<Dict<K, V>>(name);
  }
  /// The list called `name` (made empty if there is none); csp::Error if it is of another type.
  template <class T>
  List<T> list(const std::string& name) const {
    return named<List<T>>(name);
  }
  /// The value called `name` (made from `initial` if there is none); csp::Error if it is of
  /// another type.
  template <class T>
  csp::Value<T> value(const std::string& name, T initial = T{}) const {
    return named<csp::Value<T>>(name, std::move(initial));
  }
  /// The array called `name` (made with `n` value-initialized elements if there is none);
  /// csp::Error if it is of another type, if there is none and `n` is not given, or if it has
  /// other than `n` elements. A connected manager's array has the served one's size: a process
  /// that only uses it need not know it.
  template <class T>
  csp::Array<T> array(const std::string& name, std::optional<std::size_t> n = std::nullopt) const {
    auto a = made<csp::Array<T>>(name, [&] {
      return csp::Array<T>(owner_, std::vector<T>(detail::count_to_make(name_, name, "elements", n)));
    });
    detail::check_count(name_, name, "elements", n, a.size());
    return a;
  }
  /// The queue called `name` (made with `maxsize`, 0 for unbounded, if there is none);
  /// csp::Error if it is of another type. Its maxsize() is the one it was made with, also from a
  /// connected manager (whatever `maxsize` is given there).
  template <class T>
  csp::Queue<T> queue(const std::string& name, std::size_t maxsize = 0) const {
    return named<csp::Queue<T>>(name, maxsize);
  }
  /// The lock called `name` (made if there is none); csp::Error if it is something else. Each
  /// process of a connected program is a holder of its own, and one that goes frees what it holds.
  csp::Lock lock(const std::string& name) const { return named<csp::Lock>(name); }
  csp::RLock rlock(const std::string& name) const { return named<csp::RLock>(name); }
  /// The condition called `name` (made with an RLock of its own if there is none); csp::Error if
  /// it is something else. A connected manager's condition comes with the served lock, so
  /// acquiring it (`std::unique_lock`), wait() and notify() in any process act on the same lock
  /// and waiters.
  csp::Condition condition(const std::string& name) const { return named<csp::Condition>(name); }
  /// The namespace called `name` (made empty if there is none); csp::Error if it is something
  /// else. `namespace` is a keyword, so the name takes a trailing underscore, as Boost spells
  /// keywords (`mpl::if_`, `hana::if_`); Namespace() is the unnamed one, as in Python.
  csp::Namespace namespace_(const std::string& name) const { return named<csp::Namespace>(name); }
  /// The event called `name` (made clear if there is none); csp::Error if it is something else.
  csp::Event event(const std::string& name) const { return named<csp::Event>(name); }
  /// The semaphore called `name` (made with `value` if there is none); csp::Error if it is
  /// something else.
  csp::Semaphore semaphore(const std::string& name, unsigned value = 1) const {
    return named<csp::Semaphore>(name, value);
  }
  csp::BoundedSemaphore bounded_semaphore(const std::string& name, unsigned value = 1) const {
    return named<csp::BoundedSemaphore>(name, value);
  }
  /// The barrier called `name` (made for `parties` if there is none); csp::Error if it is
  /// something else, if there is none and `parties` is not given, or if it is for other than
  /// `parties`. A connected manager's barrier has the served one's parties: a process that only
  /// waits on it need not know them, as with a Python BaseManager's barrier.
  csp::Barrier barrier(const std::string& name, std::optional<std::size_t> parties = std::nullopt) const {
    auto b = made<csp::Barrier>(
        name, [&] { return csp::Barrier(owner_, detail::count_to_make(name_, name, "parties", parties)); });
    detail::check_count(name_, name, "parties", parties, b.parties());
    return b;
  }

  template <class K, class V>
  Dict<K, V> dict() const {
    return Dict<K, V>(owner_);
  }
  template <class T>
  List<T> list() const {
    return List<T>(owner_);
  }
  csp::Namespace Namespace() const { return csp::Namespace(owner_); }
  /// At most `maxsize` items (0: unbounded).
  template <class T>
  csp::Queue<T> Queue(std::size_t maxsize = 0) const {
    return csp::Queue<T>(owner_, maxsize);
  }
  template <class T>
  csp::Value<T> Value(T initial = T{}) const {
    return csp::Value<T>(owner_, std::move(initial));
  }
  /// `n` value-initialized elements.
  template <class T>
  csp::Array<T> Array(std::size_t n) const {
    return csp::Array<T>(owner_, std::vector<T>(n));
  }
  template <class T>
  csp::Array<T> Array(std::initializer_list<T> items) const {
    return csp::Array<T>(owner_, std::vector<T>(items));
  }
  csp::Lock Lock() const { return csp::Lock(owner_); }
  csp::RLock RLock() const { return csp::RLock(owner_); }
  csp::Semaphore Semaphore(unsigned value = 1) const { return csp::Semaphore(owner_, value); }
  csp::BoundedSemaphore BoundedSemaphore(unsigned value = 1) const {
    return csp::BoundedSemaphore(owner_, value);
  }
  csp::Condition Condition() const { return csp::Condition(owner_); }
  csp::Event Event() const { return csp::Event(owner_); }
  csp::Barrier Barrier(std::size_t parties) const { return csp::Barrier(owner_, parties); }

 private:
  // The object called `name`, made here from `args` if there is none.
  template <class H, class... Args>
  H named(const std::string& name, Args&&... args) const {
    return made<H>(name, [&] { return H(owner_, std::forward<Args>(args)...); });
  }

  // The object called `name`: the served one, for a connected manager; else the one here, made
  // by `make()` if there is none.
  template <class H, class Make>
  H made(const std::string& name, Make make) const {
    static_assert(detail::servable<H>,
                  "a named shared object must hold message types (built-ins, or types announced "
                  "with CSP_MESSAGE_TYPE): other processes may use it");
    if (where_) return detail::remote_handle<H>(detail::attach_object(*where_, name_, name, detail::served_type<H>()));
    return directory_->find_or_make<H>(name, make);
  }

  std::shared_ptr<detail::Owner> owner_;
  std::shared_ptr<detail::Directory> directory_;  // none for a connected manager
  std::string name_;                              // of a named or connected manager
  std::optional<Connect> where_;
};

}  // namespace csp
