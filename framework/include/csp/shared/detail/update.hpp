// The one request that carries code: update(fn) runs `fn` on the state inside its owner, so a
// read-modify-write is atomic. Within one OS process the function travels as a closure.
#pragma once

#include <functional>
#include <type_traits>
#include <utility>
#include <variant>

#include "csp/shared/detail/owner.hpp"

namespace csp::detail {

/// Runs `fn` on an `Arg` of the state picked by `where` (nothing, a key, an index); answers
/// what `fn` returns.
template <class Arg, class R, class Where = std::monostate>
struct Update {
  using result = R;
  Where where;
  std::function<R(Arg)> fn;
};

/// Owner side: runs `op` on `arg` and answers its result.
template <class Arg, class R, class Where, class A>
void answer_update(Update<Arg, R, Where>& op, A&& arg, Reply<R>& reply) {
  if constexpr (std::is_void_v<R>) {
    op.fn(std::forward<A>(arg));
    reply.answer();
  } else {
    reply.answer(op.fn(std::forward<A>(arg)));
  }
}

/// The request update(fn) sends for a state whose functions take an `Arg`.
template <class Arg, class F, class Where = std::monostate>
auto make_update(F fn, Where where = {}) {
  using R = std::invoke_result_t<F&, Arg>;
  return Update<Arg, R, Where>{std::move(where), std::function<R(Arg)>(std::move(fn))};
}

/// What update(fn) returns: fn's result, or nothing for the std::monostate of a void fn.
template <class A>
auto unwrap(A a) {
  if constexpr (!std::is_same_v<A, std::monostate>) return a;
}

}  // namespace csp::detail
