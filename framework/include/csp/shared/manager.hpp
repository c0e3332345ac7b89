// csp::Manager (Python's multiprocessing.Manager()): one owner actor that owns every object it
// makes (dict, list, Namespace, Queue, Value, Array and the synchronization objects).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <vector>

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
#include "csp/shared/value.hpp"

namespace csp {

/// Makes shared objects that all live in (and are served one request at a time by) this
/// manager's owner actor. The objects stay usable while any handle to them exists. Copies of
/// a Manager share its owner.
class Manager {
 public:
  Manager() : owner_(detail::make_owner()) {}

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
  std::shared_ptr<detail::Owner> owner_;
};

}  // namespace csp
