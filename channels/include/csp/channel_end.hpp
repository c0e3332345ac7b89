// The read and write ends of a channel: cheap copyable handles that share one join, with
// PyCSP's retire and poison, plus the variadic csp::retire and csp::poison.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "csp/detail/channel_core.hpp"
#include "csp/errors.hpp"

namespace csp {

namespace detail {

/// One join of one side of a channel, shared by every copy of the end that made it. Counted
/// by hand: ends are passed around by the million and a shared_ptr would double their size.
template <class T>
struct Join {
  Join(std::shared_ptr<ChannelCore<T>> c, Side s) : core(std::move(c)), side(s) { core->join(side); }
  std::shared_ptr<ChannelCore<T>> core;
  std::atomic<int> refs{1};
  Side side;
  std::atomic<bool> retired{false};
};

template <class T, Side S>
class ChannelEnd {
 public:
  using value_type = T;
  static constexpr Side side = S;

  explicit ChannelEnd(std::shared_ptr<ChannelCore<T>> core)
      : bits_(reinterpret_cast<std::uintptr_t>(new Join<T>(std::move(core), S))) {}

  ChannelEnd(const ChannelEnd& other) noexcept : bits_(other.bits_) {
    join()->refs.fetch_add(1, std::memory_order_relaxed);
  }
  // A moved-from end keeps the join only to name the channel in its error messages.
  ChannelEnd(ChannelEnd&& other) noexcept : ChannelEnd(other) { other.bits_ |= moved_bit; }
  ChannelEnd& operator=(const ChannelEnd& other) noexcept {
    ChannelEnd copy(other);
    swap(copy);
    return *this;
  }
  ChannelEnd& operator=(ChannelEnd&& other) noexcept {
    ChannelEnd copy(std::move(other));
    swap(copy);
    return *this;
  }
  ~ChannelEnd() {
    if (join()->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete join();
  }

  /// Leaves the channel; once every joined end of this side has left, the other side's
  /// operations throw ChannelRetireException. Retiring twice is a no-op.
  void retire() {
    if (!joined().retired.exchange(true)) join()->core->leave(S);
  }

  /// Poisons the channel for everyone (a retired end may still poison).
  void poison() { joined().core->poison(S); }

  const std::string& channel_name() const { return join()->core->name(); }
  bool retired() const noexcept { return !moved() && join()->retired.load(); }
  /// Whether this end was moved from: it then only names its channel.
  bool moved() const noexcept { return bits_ & moved_bit; }

  /// The channel core, for alternation guards: throws as an operation would.
  ChannelCore<T>& core() const { return usable(); }
  /// The channel core, even for a retired or moved-from end.
  ChannelCore<T>* core_ptr() const noexcept { return join()->core.get(); }

 protected:
  ChannelCore<T>& usable() const {
    Join<T>& j = joined();
    if (j.retired.load(std::memory_order_relaxed)) raise(Outcome::retired, j.core->name());
    return *j.core;
  }

 private:
  Join<T>& joined() const {
    if (moved()) throw Error("channel '" + channel_name() + "': end used after it was moved from");
    return *join();
  }
  void swap(ChannelEnd& other) noexcept { std::swap(bits_, other.bits_); }

  // The join and, in its lowest bit (free: a Join is word-aligned), whether this end was moved
  // from. One word, not two: ends are stored by the million in process arguments.
  static constexpr std::uintptr_t moved_bit = 1;
  static_assert(alignof(Join<T>) > moved_bit);
  Join<T>* join() const noexcept { return reinterpret_cast<Join<T>*>(bits_ & ~moved_bit); }

  std::uintptr_t bits_;  // the join is never null
};

}  // namespace detail

/// The reading end: `T v = in();` blocks until a message is there.
template <class T>
class ChannelEndRead : public detail::ChannelEnd<T, detail::Side::reader> {
 public:
  using detail::ChannelEnd<T, detail::Side::reader>::ChannelEnd;
  T read() { return this->usable().read(); }
  T operator()() { return read(); }
};

/// The writing end: `out(v);` blocks until the message is taken (or buffered).
template <class T>
class ChannelEndWrite : public detail::ChannelEnd<T, detail::Side::writer> {
 public:
  using detail::ChannelEnd<T, detail::Side::writer>::ChannelEnd;
  void write(T v) { this->usable().write(v); }
  void operator()(T v) { write(std::move(v)); }
};

template <class E>
struct is_channel_end : std::false_type {};
template <class T>
struct is_channel_end<ChannelEndRead<T>> : std::true_type {};
template <class T>
struct is_channel_end<ChannelEndWrite<T>> : std::true_type {};
template <class E>
inline constexpr bool is_channel_end_v = is_channel_end<std::remove_cvref_t<E>>::value;

/// Retires every end given (any number, any mix of readers and writers).
template <class... Ends>
void retire(Ends&&... ends) {
  static_assert((is_channel_end_v<Ends> && ...), "csp::retire takes channel ends");
  (ends.retire(), ...);
}

/// Poisons the channels behind every end given.
template <class... Ends>
void poison(Ends&&... ends) {
  static_assert((is_channel_end_v<Ends> && ...), "csp::poison takes channel ends");
  (ends.poison(), ...);
}

}  // namespace csp
