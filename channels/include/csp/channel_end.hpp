// The read and write ends of a channel: cheap copyable handles that share one join, with
// PyCSP's retire and poison, plus the variadic csp::retire and csp::poison.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "csp/detail/channel_core.hpp"
#include "csp/errors.hpp"

namespace csp {

namespace detail {

/// One join of one side of a channel, shared by every copy of the end that made it.
template <class T>
struct Join {
  Join(std::shared_ptr<ChannelCore<T>> c, Side s) : core(std::move(c)), side(s) { core->join(side); }
  std::shared_ptr<ChannelCore<T>> core;
  Side side;
  std::atomic<bool> retired{false};
};

template <class T, Side S>
class ChannelEnd {
 public:
  using value_type = T;

  explicit ChannelEnd(std::shared_ptr<ChannelCore<T>> core)
      : core_(core), join_(std::make_shared<Join<T>>(std::move(core), S)) {}

  ChannelEnd(const ChannelEnd&) = default;
  ChannelEnd& operator=(const ChannelEnd&) = default;
  // A moved-from end keeps the channel's name for its error messages, nothing else.
  ChannelEnd(ChannelEnd&& other) noexcept : core_(other.core_), join_(std::move(other.join_)) {}
  ChannelEnd& operator=(ChannelEnd&& other) noexcept {
    core_ = other.core_;
    join_ = std::move(other.join_);
    return *this;
  }

  /// Leaves the channel; once every joined end of this side has left, the other side's
  /// operations throw ChannelRetireException. Retiring twice is a no-op.
  void retire() {
    if (!joined().retired.exchange(true)) core_->leave(S);
  }

  /// Poisons the channel for everyone (a retired end may still poison).
  void poison() {
    joined();
    core_->poison(S);
  }

  const std::string& channel_name() const noexcept { return core_->name(); }
  bool retired() const noexcept { return join_ && join_->retired.load(); }

  /// The channel core, for alternation guards: throws as an operation would.
  ChannelCore<T>& core() const { return usable(); }
  /// The channel core, even for a retired or moved-from end.
  ChannelCore<T>* core_ptr() const noexcept { return core_.get(); }

 protected:
  ChannelCore<T>& usable() const {
    if (joined().retired.load(std::memory_order_relaxed)) raise(Outcome::retired, core_->name());
    return *core_;
  }

 private:
  Join<T>& joined() const {
    if (!join_) throw Error("channel '" + core_->name() + "': end used after it was moved from");
    return *join_;
  }

  std::shared_ptr<ChannelCore<T>> core_;
  std::shared_ptr<Join<T>> join_;
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
