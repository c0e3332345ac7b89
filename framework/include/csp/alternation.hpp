// Alternation: choose between input, output, timeout and skip guards (PyCSP's AltSelect,
// PriSelect, FairSelect and Alternation), committing through the channels' offer protocol.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <ranges>
#include <string>
#include <type_traits>
#include <vector>

#include "csp/channel_end.hpp"
#include "csp/detail/timer.hpp"
#include "csp/errors.hpp"

namespace csp {

namespace detail {

struct NoAction {};

/// Holds the message an input guard received, whatever its type.
struct MessageBox {
  virtual ~MessageBox() = default;
};
template <class T>
struct BoxOf final : MessageBox {
  explicit BoxOf(T&& v) : value(std::move(v)) {}
  T value;
};

class GuardBase {
 public:
  enum class Kind : std::uint8_t { input, output, timeout, skip };

  explicit GuardBase(Kind kind) noexcept : kind_(kind) {}
  virtual ~GuardBase() = default;

  Kind kind() const noexcept { return kind_; }
  /// The channel behind a channel guard (nullptr otherwise): FairSelect's identity of a guard.
  virtual const ChannelBase* channel() const noexcept { return nullptr; }
  /// Throws as the end would (moved from, retired) before anything is offered.
  virtual void check() const {}
  /// Offers this guard as alternative `index` of `w`. `keep`: leave the guard reusable.
  virtual Offer offer(Waiter&, int, bool) { return Offer::queued; }
  virtual void withdraw() noexcept {}
  /// The guard was chosen: hand over its message and run its action.
  virtual void complete(std::unique_ptr<MessageBox>&) {}
  /// For timeout guards: how long.
  virtual Clock::duration timeout() const noexcept { return {}; }

 protected:
  template <class A, class... Args>
  static void act(A& action, Args&&... args) {
    if constexpr (!std::is_same_v<A, NoAction>) std::invoke(action, std::forward<Args>(args)...);
  }

 private:
  Kind kind_;
};

enum class Policy : std::uint8_t { any, priority, fair };

/// Waits until one of `guards` can commit, commits it, runs its action. Returns its index.
std::size_t select(GuardBase* const* guards, std::size_t n, Policy policy, bool keep,
                   std::unique_ptr<MessageBox>& message);

}  // namespace detail

/// What an alternation chose: the guard's index, and an input guard's message.
class Selected {
 public:
  Selected(std::size_t index, std::unique_ptr<detail::MessageBox> message) noexcept
      : index_(index), message_(std::move(message)) {}

  std::size_t index() const noexcept { return index_; }

  /// The message received by the chosen input guard; csp::Error if it carried no T.
  template <class T>
  T& value() {
    auto* box = dynamic_cast<detail::BoxOf<T>*>(message_.get());
    if (!box) throw Error("guard " + std::to_string(index_) + " carried no message of that type");
    return box->value;
  }

 private:
  std::size_t index_;
  std::unique_ptr<detail::MessageBox> message_;
};

/// Ready when a message can be read; `action(msg)` runs when chosen.
template <class T, class A = detail::NoAction>
class InputGuard final : public detail::GuardBase {
 public:
  explicit InputGuard(ChannelEndRead<T> end, A action = {})
      : GuardBase(Kind::input), end_(std::move(end)), action_(std::move(action)) {}

  const detail::ChannelBase* channel() const noexcept override { return end_.core_ptr(); }
  void check() const override { end_.core(); }
  detail::Offer offer(detail::Waiter& w, int index, bool) override {
    slot_.reset();
    request_ = detail::Request{&w, &slot_, index, true};
    return end_.core().offer_read(request_);
  }
  void withdraw() noexcept override { end_.core_ptr()->withdraw(request_); }
  void complete(std::unique_ptr<detail::MessageBox>& message) override {
    auto box = std::make_unique<detail::BoxOf<T>>(std::move(*slot_));
    slot_.reset();
    T& v = box->value;
    message = std::move(box);
    if constexpr (std::is_invocable_v<A&, T&>) act(action_, v);
    else act(action_, std::move(v));
  }

 private:
  ChannelEndRead<T> end_;
  A action_;
  detail::Request request_;
  std::optional<T> slot_;
};

template <class T>
InputGuard(ChannelEndRead<T>) -> InputGuard<T>;
template <class T, class A>
InputGuard(ChannelEndRead<T>, A) -> InputGuard<T, A>;

/// Ready when `message` can be written; delivered if and only if this guard is chosen.
template <class T, class A = detail::NoAction>
class OutputGuard final : public detail::GuardBase {
 public:
  OutputGuard(ChannelEndWrite<T> end, T message, A action = {})
      : GuardBase(Kind::output),
        end_(std::move(end)),
        message_(std::move(message)),
        action_(std::move(action)) {}

  const detail::ChannelBase* channel() const noexcept override { return end_.core_ptr(); }
  void check() const override { end_.core(); }
  detail::Offer offer(detail::Waiter& w, int index, bool keep) override {
    if (keep) {
      if constexpr (std::is_copy_constructible_v<T>) pending_.emplace(message_);
      else throw Error("channel '" + end_.channel_name() + "': a reused OutputGuard needs a copyable message");
    } else if (!pending_) {
      pending_.emplace(std::move(message_));
    }
    request_ = detail::Request{&w, &*pending_, index, true};
    return end_.core().offer_write(request_);
  }
  void withdraw() noexcept override { end_.core_ptr()->withdraw(request_); }
  void complete(std::unique_ptr<detail::MessageBox>&) override {
    pending_.reset();
    act(action_);
  }

 private:
  ChannelEndWrite<T> end_;
  T message_;
  A action_;
  detail::Request request_;
  std::optional<T> pending_;
};

template <class T, class M>
OutputGuard(ChannelEndWrite<T>, M) -> OutputGuard<T>;
template <class T, class M, class A>
OutputGuard(ChannelEndWrite<T>, M, A) -> OutputGuard<T, A>;

/// Ready once `timeout` has passed since the select began.
template <class A = detail::NoAction>
class TimeoutGuard final : public detail::GuardBase {
 public:
  template <class Rep, class Period>
  explicit TimeoutGuard(std::chrono::duration<Rep, Period> timeout, A action = {})
      : GuardBase(Kind::timeout),
        timeout_(std::chrono::ceil<detail::Clock::duration>(timeout)),
        action_(std::move(action)) {
    if (timeout_.count() < 0) throw Error("TimeoutGuard: negative timeout");
  }
  detail::Clock::duration timeout() const noexcept override { return timeout_; }
  void complete(std::unique_ptr<detail::MessageBox>&) override { act(action_); }

 private:
  detail::Clock::duration timeout_;
  A action_;
};

template <class Rep, class Period>
TimeoutGuard(std::chrono::duration<Rep, Period>) -> TimeoutGuard<>;
template <class Rep, class Period, class A>
TimeoutGuard(std::chrono::duration<Rep, Period>, A) -> TimeoutGuard<A>;

/// Always ready, with the lowest priority: chosen only when no other guard is ready.
template <class A = detail::NoAction>
class SkipGuard final : public detail::GuardBase {
 public:
  explicit SkipGuard(A action = {}) : GuardBase(Kind::skip), action_(std::move(action)) {}
  void complete(std::unique_ptr<detail::MessageBox>&) override { act(action_); }

 private:
  A action_;
};

SkipGuard() -> SkipGuard<>;

template <class G>
concept guard = std::derived_from<std::remove_cvref_t<G>, detail::GuardBase>;

namespace detail {
template <class... Gs>
Selected select_of(Policy policy, Gs&... guards) {
  GuardBase* list[] = {&guards...};
  std::unique_ptr<MessageBox> message;
  std::size_t i = select(list, sizeof...(Gs), policy, false, message);
  return {i, std::move(message)};
}
template <class Range>
Selected select_range(Policy policy, Range& guards) {
  std::vector<GuardBase*> list;
  for (auto& g : guards) list.push_back(&g);
  std::unique_ptr<MessageBox> message;
  std::size_t i = select(list.data(), list.size(), policy, false, message);
  return {i, std::move(message)};
}
}  // namespace detail

/// Chooses any ready guard (at random among the ready ones), waiting until one is.
template <guard... Gs>
Selected AltSelect(Gs&&... guards) {
  return detail::select_of(detail::Policy::any, guards...);
}
/// Chooses the first ready guard in argument order.
template <guard... Gs>
Selected PriSelect(Gs&&... guards) {
  return detail::select_of(detail::Policy::priority, guards...);
}
/// Chooses the first ready guard after the one this process chose last from the same guards.
template <guard... Gs>
Selected FairSelect(Gs&&... guards) {
  return detail::select_of(detail::Policy::fair, guards...);
}

/// The same over a range of guards of one type (say, one InputGuard per producer).
template <std::ranges::range R>
  requires guard<std::ranges::range_value_t<R>>
Selected AltSelect(R&& guards) {
  return detail::select_range(detail::Policy::any, guards);
}
template <std::ranges::range R>
  requires guard<std::ranges::range_value_t<R>>
Selected PriSelect(R&& guards) {
  return detail::select_range(detail::Policy::priority, guards);
}
template <std::ranges::range R>
  requires guard<std::ranges::range_value_t<R>>
Selected FairSelect(R&& guards) {
  return detail::select_range(detail::Policy::fair, guards);
}

/// A reusable set of guards: `csp::Alternation alt{g1, g2}; alt.select();`
class Alternation {
 public:
  template <guard... Gs>
  explicit Alternation(Gs... guards) {
    (guards_.push_back(std::make_unique<Gs>(std::move(guards))), ...);
    for (auto& g : guards_) list_.push_back(g.get());
  }

  Selected select() { return run(detail::Policy::any); }
  Selected pri_select() { return run(detail::Policy::priority); }
  Selected fair_select() { return run(detail::Policy::fair); }
  /// PyCSP's execute(): select and run the chosen guard's action (every select does).
  Selected execute() { return select(); }

 private:
  Selected run(detail::Policy policy) {
    std::unique_ptr<detail::MessageBox> message;
    std::size_t i = detail::select(list_.data(), list_.size(), policy, true, message);
    return {i, std::move(message)};
  }

  std::vector<std::unique_ptr<detail::GuardBase>> guards_;
  std::vector<detail::GuardBase*> list_;
};

}  // namespace csp
