// csp::Dict<K, V>: a dictionary shared by processes (what Python's Manager().dict() returns),
// owned by an owner actor; update(k, fn) is an atomic read-modify-write of one entry.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "csp/errors.hpp"
#include "csp/shared/detail/owner.hpp"
#include "csp/shared/detail/update.hpp"

namespace csp {

namespace detail {

/// The csp::Error for a missing key: "key <key> not found in '<dict>'".
Error missing_key(const std::string& dict, const std::string& key);

/// `key` as an error message shows it: strings quoted, printable types printed.
template <class K>
std::string describe_key(const K& key) {
  if constexpr (std::is_convertible_v<const K&, std::string_view>) {
    std::string quoted(1, '\'');  // appended, not '+': GCC 12 warns falsely (-Wrestrict) on that
    quoted.append(std::string_view(key)).push_back('\'');
    return quoted;
  } else if constexpr (requires(std::ostream& os) { os << key; }) {
    std::ostringstream os;
    os << key;
    return os.str();
  } else {
    return "(unprintable)";
  }
}

template <class K, class V>
class DictState {
 public:
  explicit DictState(std::string name) : name_(std::move(name)) {}

  struct Get {
    using result = V;
    K key;
  };
  struct GetOr {
    using result = V;
    K key;
    V otherwise;
  };
  struct Set {
    using result = void;
    K key;
    V value;
  };
  struct SetDefault {
    using result = V;
    K key;
    V value;
  };
  struct Pop {
    using result = V;
    K key;
  };
  struct Erase {
    using result = bool;
    K key;
  };
  struct Contains {
    using result = bool;
    K key;
  };
  struct Size {
    using result = std::size_t;
  };
  struct Items {
    using result = std::vector<std::pair<K, V>>;
  };
  struct Clear {
    using result = void;
  };
  using remote_ops = std::tuple<Get, GetOr, Set, SetDefault, Pop, Erase, Contains, Size, Items, Clear>;
  static constexpr bool holds_messages = message<K> && message<V>;
  static const std::string& type_name() {
    static const std::string name = compose("Dict", {message_name<K>(), message_name<V>()});
    return name;
  }

  V handle(Get& op) const { return at(op.key); }
  V handle(GetOr& op) const {
    auto it = map_.find(op.key);
    return it == map_.end() ? std::move(op.otherwise) : it->second;
  }
  void handle(Set& op) { map_.insert_or_assign(std::move(op.key), std::move(op.value)); }
  V handle(SetDefault& op) { return map_.try_emplace(std::move(op.key), std::move(op.value)).first->second; }
  V handle(Pop& op) {
    auto it = map_.find(op.key);
    if (it == map_.end()) throw missing_key(name_, describe_key(op.key));
    V v = std::move(it->second);
    map_.erase(it);
    return v;
  }
  bool handle(Erase& op) { return map_.erase(op.key) > 0; }
  bool handle(Contains& op) const { return map_.contains(op.key); }
  std::size_t handle(Size&) const noexcept { return map_.size(); }
  std::vector<std::pair<K, V>> handle(Items&) const { return {map_.begin(), map_.end()}; }
  void handle(Clear&) noexcept { map_.clear(); }
  template <class R>
  void handle(Update<V&, R, K>& op, Reply<R>& reply) {
    answer_update(op, map_[op.where], reply);
  }

  const std::string& name() const noexcept { return name_; }

 private:
  const V& at(const K& key) const {
    auto it = map_.find(key);
    if (it == map_.end()) throw missing_key(name_, describe_key(key));
    return it->second;
  }

  std::string name_;
  std::map<K, V> map_;
};

}  // namespace detail

/// A dictionary shared by processes, ordered by key; copies of the handle share one dictionary.
template <class K, class V>
class Dict : public detail::Handle<detail::DictState<K, V>> {
  using State = detail::DictState<K, V>;

 public:
  Dict() : Dict(detail::make_owner()) {}
  /// A dictionary run by `origin`'s owner (a Manager's).
  explicit Dict(detail::Origin origin) : detail::Handle<State>(std::move(origin), "Dict") {}

  /// The value at `key`; csp::Error naming the key if there is none (like std::map::at).
  V get(K key) const { return this->call(typename State::Get{std::move(key)}); }
  /// The value at `key`, or `otherwise` (Python's d.get(k, default)).
  V get(K key, V otherwise) const {
    return this->call(typename State::GetOr{std::move(key), std::move(otherwise)});
  }
  void set(K key, V value) const {
    this->call(typename State::Set{std::move(key), std::move(value)});
  }
  /// Runs `fn(V&)` on the value at `key` inside the owner, atomically, and returns what it
  /// returns; a missing key is first inserted value-initialized (as std::map::operator[]).
  /// `fn` must not block.
  template <class F>
  auto update(K key, F fn) const {
    return detail::unwrap(this->call(detail::make_update<V&>(std::move(fn), std::move(key))));
  }
  /// The value at `key`, inserting `value` first if there is none.
  V setdefault(K key, V value) const {
    return this->call(typename State::SetDefault{std::move(key), std::move(value)});
  }
  /// Removes and returns the value at `key`; csp::Error naming the key if there is none.
  V pop(K key) const { return this->call(typename State::Pop{std::move(key)}); }
  /// Removes `key`; whether it was there.
  bool erase(K key) const { return this->call(typename State::Erase{std::move(key)}); }
  bool contains(K key) const { return this->call(typename State::Contains{std::move(key)}); }
  std::size_t size() const { return this->call(typename State::Size{}); }
  /// Every entry, ordered by key, taken atomically.
  std::vector<std::pair<K, V>> items() const { return this->call(typename State::Items{}); }
  std::vector<K> keys() const {
    std::vector<K> keys;
    for (auto& [k, v] : items()) keys.push_back(std::move(k));
    return keys;
  }
  std::vector<V> values() const {
    std::vector<V> values;
    for (auto& [k, v] : items()) values.push_back(std::move(v));
    return values;
  }
  void clear() const { this->call(typename State::Clear{}); }
  const std::string& name() const noexcept { return this->state().name(); }
};

}  // namespace csp
