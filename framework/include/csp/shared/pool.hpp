// csp::Pool (Python's multiprocessing.Pool): worker processes (csp processes) that take tasks
// from a shared Queue; map() runs a function over a range, apply_async() returns an AsyncResult,
// imap_unordered() gives results as their tasks end.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "csp/detail/completion.hpp"
#include "csp/process.hpp"
#include "csp/shared/queue.hpp"

namespace csp {

namespace detail {

/// What a task with result R ended with: its value, or the exception it threw.
template <class R>
struct TaskOutcome {
  std::optional<answer_t<R>> value;
  std::exception_ptr error;

  /// Runs `task` and keeps what it returns or throws.
  template <class F>
  void run(F&& task) noexcept {
    try {
      if constexpr (std::is_void_v<R>) {
        task();
        value.emplace();
      } else {
        value.emplace(task());
      }
    } catch (...) {
      error = std::current_exception();
    }
  }
};

/// Where a task leaves its outcome for its AsyncResult.
template <class R>
struct TaskResult : TaskOutcome<R> {
  Completion done;
};

}  // namespace detail

/// What Pool::imap_unordered() returns: its tasks' results in the order the tasks end, each
/// as soon as its task has, as an input range (`for (int r : pool.imap_unordered(fn, xs))`).
/// A task's exception is rethrown when its turn comes; the results after it can still be read.
template <class R>
class UnorderedResults {
 public:
  class iterator {
   public:
    using value_type = R;
    using difference_type = std::ptrdiff_t;

    iterator() = default;
    explicit iterator(UnorderedResults* results) noexcept : results_(results) {}
    /// The next result, parking until a task ends; its exception rethrown.
    R operator*() const { return results_->current(); }
    iterator& operator++() {
      results_->next();
      return *this;
    }
    void operator++(int) { ++*this; }
    bool operator==(std::default_sentinel_t) const noexcept { return results_->left_ == 0; }

   private:
    UnorderedResults* results_ = nullptr;
  };

  UnorderedResults(Queue<detail::TaskOutcome<R>> ended, std::size_t tasks)
      : ended_(std::move(ended)), left_(tasks) {}
  UnorderedResults(UnorderedResults&&) noexcept = default;  // its iterators stay with the old one
  UnorderedResults& operator=(UnorderedResults&&) noexcept = default;

  iterator begin() noexcept { return iterator(this); }
  std::default_sentinel_t end() const noexcept { return {}; }

 private:
  R current() {
    if (!current_) current_ = ended_.get();
    if (current_->error) std::rethrow_exception(current_->error);
    return std::move(*current_->value);
  }
  void next() {
    if (!current_) ended_.get();
    current_.reset();
    --left_;
  }

  Queue<detail::TaskOutcome<R>> ended_;
  std::size_t left_;
  std::optional<detail::TaskOutcome<R>> current_;  // taken from ended_, not yet stepped over
};

/// The future apply_async() returns: get() parks the calling process (or blocks the thread)
/// until the task has run. Copies share one result.
template <class R>
class AsyncResult {
 public:
  explicit AsyncResult(std::shared_ptr<detail::TaskResult<R>> result) : result_(std::move(result)) {}

  /// The task's return value (once), or its exception rethrown.
  R get() {
    wait();
    if (result_->error) std::rethrow_exception(result_->error);
    if constexpr (!std::is_void_v<R>) return std::move(*result_->value);
  }
  void wait() const { result_->done.wait(); }
  /// Whether it has run within `timeout`.
  template <class Rep, class Period>
  bool wait(std::chrono::duration<Rep, Period> timeout) const {
    return result_->done.wait(detail::deadline_after(timeout));
  }
  bool ready() const { return result_->done.completed(); }
  /// Whether it ran without an exception; csp::Error before it is ready.
  bool successful() const;

 private:
  std::shared_ptr<detail::TaskResult<R>> result_;
};

/// A fixed set of worker processes running submitted tasks in arrival order.
class Pool {
 public:
  /// `processes` workers (0: one per core).
  explicit Pool(std::size_t processes = 0);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  /// Closes and joins, if not done already.
  ~Pool();

  /// Runs `fn(args...)` on a worker (arguments copied, as a thread does).
  template <class F, class... Args>
  auto apply_async(F fn, Args... args) {
    using R = std::invoke_result_t<F&, Args&...>;
    auto result = std::make_shared<detail::TaskResult<R>>();
    submit([result, fn = std::move(fn), args = std::make_tuple(std::move(args)...)]() mutable {
      result->run([&] { return std::apply(fn, args); });
      result->done.complete();
    });
    return AsyncResult<R>(std::move(result));
  }
  /// Runs `fn(args...)` on a worker and waits for its result.
  template <class F, class... Args>
  auto apply(F fn, Args... args) {
    return apply_async(std::move(fn), std::move(args)...).get();
  }
  /// `fn(x)` for every x of `items`, computed by the workers; the results in order. Rethrows
  /// the first exception (in order) once every task has run.
  template <class F, std::ranges::input_range Range>
  auto map(F fn, Range&& items) {
    using R = std::invoke_result_t<F&, std::ranges::range_reference_t<Range>>;
    static_assert(!std::is_void_v<R>, "Pool::map needs a function that returns a value");
    std::vector<AsyncResult<R>> pending;
    for (auto&& x : items) pending.push_back(apply_async(fn, std::forward<decltype(x)>(x)));
    for (auto& p : pending) p.wait();
    std::vector<R> results;
    results.reserve(pending.size());
    for (auto& p : pending) results.push_back(p.get());
    return results;
  }
  /// `fn(args...)` for every tuple (or pair) of arguments of `items`, as map() computes them
  /// (Python's Pool.starmap).
  template <class F, std::ranges::input_range Range>
  auto starmap(F fn, Range&& items) {
    return map([fn = std::move(fn)](const auto& args) mutable { return std::apply(fn, args); },
               std::forward<Range>(items));
  }

  /// `fn(x)` for every x of `items`, computed by the workers: the results in the order their
  /// tasks end, each as soon as its task has (Python's Pool.imap_unordered).
  template <class F, std::ranges::input_range Range>
  auto imap_unordered(F fn, Range&& items) {
    using R = std::invoke_result_t<F&, std::ranges::range_reference_t<Range>>;
    static_assert(!std::is_void_v<R>, "Pool::imap_unordered needs a function that returns a value");
    Queue<detail::TaskOutcome<R>> ended;
    std::size_t tasks = 0;
    for (auto&& x : items) {
      submit([ended, fn, x = std::decay_t<decltype(x)>(std::forward<decltype(x)>(x))]() mutable {
        detail::TaskOutcome<R> outcome;
        outcome.run([&] { return fn(x); });
        ended.put(std::move(outcome));
      });
      ++tasks;
    }
    return UnorderedResults<R>(std::move(ended), tasks);
  }

  /// No more tasks (submitting one is a csp::Error); workers end once the queue is drained.
  void close();
  /// Waits for every worker to end; csp::Error unless closed first.
  void join();
  std::size_t processes() const noexcept { return workers_.size(); }

 private:
  void submit(std::function<void()> task);

  Queue<std::function<void()>> tasks_;  // an empty task tells a worker to stop
  std::vector<Process<>> workers_;
  std::atomic<bool> closed_{false};
  bool joined_ = false;
};

template <class R>
bool AsyncResult<R>::successful() const {
  if (!ready()) throw Error("AsyncResult::successful() before the task has run");
  return !result_->error;
}

}  // namespace csp
