// csp::multiprocess(f): like csp::process(f), but each body runs in a separate OS process
// (PyCSP's @multiprocess, Python's multiprocessing.Process). Read the start-up rule below.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "csp/detail/child_codec.hpp"
#include "csp/detail/child_launcher.hpp"
#include "csp/process.hpp"

namespace csp {

/// THE START-UP RULE. A multiprocess child is this same program started again (never a fork
/// of a running runtime), told by its parent which body to run. So `main` must begin with
///
///     int main(int argc, char** argv) {
///       csp::multiprocess_main();   // in a child: runs the body and exits; else returns
///       ...
///
/// before it does anything else (before parsing arguments, writing files or starting csp).
/// A child whose main uses csp before this call exits with code 127 instead of running main.
/// In the parent it returns at once.
void multiprocess_main();

/// A multiprocess body that failed: its exception's message (or how it died) and its exit code
/// (minus the signal for a child killed by a signal, as Python reports it).
class ChildProcessError : public std::runtime_error {
 public:
  ChildProcessError(const std::string& what, int exitcode)
      : std::runtime_error(what), exitcode_(exitcode) {}
  int exitcode() const noexcept { return exitcode_; }

 private:
  int exitcode_;
};

namespace detail {

/// The entry point a child runs for callable type F with arguments Args...; it exists in every
/// run of the program because instantiating the parent's side instantiates it too.
template <class R, class F, class... Args>
struct ChildEntryFor {
  static std::string run(std::string_view bytes) {
    auto args = decode_arguments<Args...>(bytes);
    auto p = std::apply([](Args&... a) { return csp::process(F{})(std::move(a)...); }, args);
    p.start();
    p.join();
    if constexpr (std::is_void_v<R>) {
      p.result();
      return {};
    } else {
      return encode_result(p.result());
    }
  }
  static const char* type_name() { return typeid(ChildEntryFor).name(); }
  static inline const std::size_t index = register_child_entry(type_name(), &run);
};

/// How a multiprocess argument is kept and sent: as the thread-style decayed copy, except that a
/// C string (a literal, say) crosses as the std::string its characters make.
template <class A>
using child_arg_t = std::conditional_t<std::is_same_v<std::decay_t<A>, const char*> ||
                                           std::is_same_v<std::decay_t<A>, char*>,
                                       std::string, std::decay_t<A>>;

template <class R, class F, class... Args>
class MultiprocessImpl final : public ProcessResult<R> {
  using Entry = ChildEntryFor<R, F, Args...>;

 public:
  explicit MultiprocessImpl(Args... args)
      : ProcessResult<R>(Launch::thread), args_(std::move(args)...) {}

  std::optional<int> pid() const override {
    if (!ProcessBase::pid()) return std::nullopt;  // not started
    return child_.pid();
  }

 private:
  void body() override {
    Loans loans;  // the channel ends among the arguments, withdrawn once the child has ended
    std::string bytes = child_.run(Entry::index, Entry::type_name(), encode_arguments(args_, loans),
                                   this->name());
    if constexpr (std::is_void_v<R>) this->result_.emplace();
    else this->result_.emplace(decode_result<R>(bytes));
  }
  void release_ends(bool poison) noexcept override { release_all(args_, poison); }
  void visit_ends(const ProcessBase::EndVisitor& visit) override { visit_all(args_, visit); }
  void on_terminate() noexcept override { child_.terminate(); }
  int failure_code() const noexcept override { return child_.exitcode(); }

  std::tuple<Args...> args_;
  ChildLauncher child_;
};

}  // namespace detail

/// The wrapper csp::multiprocess(f) returns: call it with arguments to get a Process.
template <class F>
class MultiprocessFactory {
  static_assert(std::is_default_constructible_v<F> && std::is_empty_v<F>,
                "csp::multiprocess needs a callable without captures (its child has only the "
                "type): pass what the body needs as arguments");

 public:
  explicit MultiprocessFactory(std::string name) : name_(std::move(name)) {}

  template <class... Args>
  auto operator()(Args&&... args) const {
    using R = detail::call_result_t<F, detail::child_arg_t<Args>...>;
    auto state = std::make_shared<detail::MultiprocessImpl<R, F, detail::child_arg_t<Args>...>>(
        std::forward<Args>(args)...);
    if (!name_.empty()) state->set_name(name_);
    return Process<R>(std::move(state));
  }

 private:
  std::string name_;
};

/// PyCSP's @multiprocess: each process runs `f` in a child OS process of its own. `f` has no
/// captures; its arguments and result cross serialized (see CSP_MESSAGE_TYPE), except channel
/// ends (alone or in a std::vector): the child gets ends of the same channels, standing for them.
template <class F>
MultiprocessFactory<F> multiprocess(F) {
  return MultiprocessFactory<F>({});
}
/// The same, with every process it makes named `name`.
template <class F>
MultiprocessFactory<F> multiprocess(std::string name, F) {
  return MultiprocessFactory<F>(std::move(name));
}

}  // namespace csp
