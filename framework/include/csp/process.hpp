// Processes: csp::process(f) wraps a callable (PyCSP's @process); calling the wrapper binds
// arguments and returns a csp::Process<R> that has not started. thread_process gives an OS thread.
#pragma once

#include <chrono>
#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "csp/channel_end.hpp"
#include "csp/detail/process_base.hpp"
#include "csp/errors.hpp"

namespace csp {

namespace detail {

/// What a process of return type R yields: R itself, or std::monostate for void.
template <class R>
using result_t = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

/// Arguments that are channel ends (alone or in a vector) stay in the process's argument list
/// for poisoning: the body gets copies of them (copies share one join), everything else moved.
template <class A>
struct holds_ends : std::bool_constant<is_channel_end_v<A>> {};
template <class E>
struct holds_ends<std::vector<E>> : std::bool_constant<is_channel_end_v<E>> {};

template <class A>
decltype(auto) pass(A& a) {
  if constexpr (holds_ends<A>::value) return (a);
  else return std::move(a);
}

/// Calls `f(end)` for each channel end among `args` (alone, or in vectors).
template <class... Args, class F>
void for_each_end(std::tuple<Args...>& args, F f) {
  auto each = [&](auto& a) {
    using A = std::remove_reference_t<decltype(a)>;
    if constexpr (is_channel_end_v<A>) f(a);
    else if constexpr (holds_ends<A>::value)
      for (auto& e : a) f(e);
  };
  std::apply([&](Args&... a) { (each(a), ...); }, args);
}

/// Poisons (or retires) every channel end among `args`, swallowing failures.
template <class... Args>
void release_all(std::tuple<Args...>& args, bool poison) noexcept {
  for_each_end(args, [poison](auto& end) {
    try {
      poison ? end.poison() : end.retire();
    } catch (...) {  // a moved-from end has nothing to release
    }
  });
}

/// Tells `visit` the channel and side of every channel end among `args`.
template <class... Args>
void visit_all(std::tuple<Args...>& args, const ProcessBase::EndVisitor& visit) {
  for_each_end(args, [&](auto& end) { visit(*end.core_ptr(), end.side); });
}

template <class R>
class ProcessResult : public ProcessBase {
 public:
  using ProcessBase::ProcessBase;
  /// The return value, moved out. A process ended by a ChannelException returned nothing:
  /// it yields a value-initialized R, as PyCSP yields None.
  result_t<R> take() {
    if (!result_) {
      if constexpr (std::is_default_constructible_v<result_t<R>>) return result_t<R>{};
      else throw Error("process '" + name() + "' ended without a result");
    }
    result_t<R> r = std::move(*result_);
    result_.reset();
    return r;
  }

 protected:
  std::optional<result_t<R>> result_;
};

template <class R, class F, class... Args>
class ProcessImpl final : public ProcessResult<R> {
 public:
  ProcessImpl(Launch launch, F f, Args... args)
      : ProcessResult<R>(launch), f_(std::move(f)), args_(std::move(args)...) {}

 private:
  void body() override {
    auto call = [this](Args&... a) -> decltype(auto) { return std::invoke(f_, pass(a)...); };
    if constexpr (std::is_void_v<R>) {
      std::apply(call, args_);
      this->result_.emplace();
    } else {
      this->result_.emplace(std::apply(call, args_));
    }
  }
  void release_ends(bool poison) noexcept override { release_all(args_, poison); }
  void visit_ends(const ProcessBase::EndVisitor& visit) override { visit_all(args_, visit); }

  [[no_unique_address]] F f_;  // most bodies are empty lambdas
  std::tuple<Args...> args_;
};

template <class F, class... Args>
using call_result_t =
    std::invoke_result_t<F&, decltype(pass(std::declval<std::decay_t<Args>&>()))...>;

}  // namespace detail

/// A process that has not started, is running, or has ended. Move-only.
template <class R = void>
class Process {
 public:
  using result_type = detail::result_t<R>;

  /// A process running `f()` directly: `csp::Process<> q{[] { ... }};`
  template <class F>
    requires(!std::same_as<std::decay_t<F>, Process> && std::is_invocable_r_v<R, F&>)
  explicit Process(F f)
      : state_(std::make_shared<detail::ProcessImpl<R, F>>(detail::Launch::fiber, std::move(f))) {}

  explicit Process(std::shared_ptr<detail::ProcessResult<R>> state) : state_(std::move(state)) {}

  Process(Process&&) noexcept = default;
  Process& operator=(Process&&) noexcept = default;

  void start() { base().start(); }
  /// Waits until the process has ended.
  void join() { base().join(); }
  /// Waits at most `timeout`; true once the process has ended.
  template <class Rep, class Period>
  bool join(std::chrono::duration<Rep, Period> timeout) {
    return base().join_until(detail::Clock::now() +
                             std::chrono::ceil<detail::Clock::duration>(timeout));
  }
  bool is_alive() const { return base().is_alive(); }
  /// Makes the process's current and every later blocking operation fail (exit code -15).
  void terminate() { base().terminate(); }
  /// Empty before the end; 0 after a normal return, 1 after an exception, -15 if terminated.
  std::optional<int> exitcode() const { return base().exitcode(); }
  /// The OS process hosting it; empty before start.
  std::optional<int> pid() const { return base().pid(); }
  const std::string& name() const { return base().name(); }
  /// Renames the process; on a temporary it yields the process, for Parallel(P().name("x")).
  Process& name(std::string n) & {
    base().set_name(std::move(n));
    return *this;
  }
  Process&& name(std::string n) && { return std::move(name(std::move(n))); }

  /// After join(): the return value; rethrows what escaped the body, if anything did.
  result_type result() {
    if (std::exception_ptr e = base().error()) std::rethrow_exception(e);
    return state_->take();
  }

  detail::ProcessResult<R>& base() const {
    if (!state_) throw Error("process used after it was moved from");
    return *state_;
  }

 private:
  std::shared_ptr<detail::ProcessResult<R>> state_;
};

/// The wrapper csp::process(f) returns: call it with arguments to get a Process.
template <class F>
class ProcessFactory {
 public:
  ProcessFactory(F f, detail::Launch launch, std::string name)
      : f_(std::move(f)), launch_(launch), name_(std::move(name)) {}

  template <class... Args>
  auto operator()(Args&&... args) const {
    using R = detail::call_result_t<F, Args...>;
    auto state = std::make_shared<detail::ProcessImpl<R, F, std::decay_t<Args>...>>(
        launch_, f_, std::forward<Args>(args)...);
    if (!name_.empty()) state->set_name(name_);
    return Process<R>(std::move(state));
  }

 private:
  F f_;
  detail::Launch launch_;
  std::string name_;
};

/// PyCSP's @process: each process runs on its own lightweight stack.
template <class F>
ProcessFactory<F> process(F f) {
  return {std::move(f), detail::Launch::fiber, {}};
}
/// The same, with every process it makes named `name`.
template <class F>
ProcessFactory<F> process(std::string name, F f) {
  return {std::move(f), detail::Launch::fiber, std::move(name)};
}

/// Like process(f), but each body gets its own OS thread (for bodies that block in the OS).
template <class F>
ProcessFactory<F> thread_process(F f) {
  return {std::move(f), detail::Launch::thread, {}};
}

}  // namespace csp
