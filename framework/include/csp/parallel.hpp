// Composition: Parallel runs processes together and waits for all, Sequence runs them one after
// another, Spawn starts them in the background (csp::shutdown() waits for those).
#pragma once

#include <array>
#include <ranges>
#include <tuple>
#include <vector>

#include "csp/process.hpp"

namespace csp {

namespace detail {
/// Keeps `p` running in the background until it ends; shutdown() waits for it.
void spawn(std::shared_ptr<ProcessBase> p);

template <class R>
result_t<R> run_one(ProcessResult<R>& p) {
  ProcessBase* one = &p;
  run_group(&one, 1);
  return p.take();
}
}  // namespace detail

/// Runs every process at once and waits for all. Returns their results as a tuple (void gives
/// std::monostate) and rethrows the first exception other than a ChannelException.
template <class... Rs>
std::tuple<detail::result_t<Rs>...> Parallel(Process<Rs>&&... procs) {
  std::array<detail::ProcessBase*, sizeof...(Rs)> group{&procs.base()...};
  detail::run_group(group.data(), group.size());
  return {procs.base().take()...};
}

/// Runs a range of processes at once; their results in order.
template <std::ranges::range Range>
auto Parallel(Range&& procs) {
  using P = std::ranges::range_value_t<Range>;
  std::vector<detail::ProcessBase*> group;
  if constexpr (std::ranges::sized_range<Range>) group.reserve(std::ranges::size(procs));
  for (P& p : procs) group.push_back(&p.base());
  detail::run_group(group.data(), group.size());
  std::vector<typename P::result_type> results;
  results.reserve(group.size());
  for (P& p : procs) results.push_back(p.base().take());
  return results;
}

/// Runs the processes one after another; stops at the first exception other than a
/// ChannelException and rethrows it.
template <class... Rs>
std::tuple<detail::result_t<Rs>...> Sequence(Process<Rs>&&... procs) {
  // Braced initialization evaluates left to right.
  return std::tuple<detail::result_t<Rs>...>{detail::run_one(procs.base())...};
}

/// Runs a range of processes one after another.
template <std::ranges::range Range>
auto Sequence(Range&& procs) {
  using P = std::ranges::range_value_t<Range>;
  std::vector<typename P::result_type> results;
  for (P& p : procs) results.push_back(detail::run_one(p.base()));
  return results;
}

/// Starts the processes in the background.
template <class... Rs>
void Spawn(Process<Rs>&&... procs) {
  std::array<detail::ProcessBase*, sizeof...(Rs)> group{&procs.base()...};
  detail::start_group(group.data(), group.size());
  (detail::spawn(procs.base().shared_from_this()), ...);
}

}  // namespace csp
