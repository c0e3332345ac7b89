// Helpers for the shared-state tests: run n processes at once, and check an error's message.
#pragma once

#include <gtest/gtest.h>

#include <csp/csp.hpp>
#include <chrono>
#include <string>
#include <vector>

namespace csp_test {

/// Runs `body(i)` in `n` processes at once and waits for all of them; rethrows what escaped one.
/// Started one by one from a thread, they spread over the runtime's workers and so truly run in
/// parallel (Parallel would keep them on one worker).
template <class F>
void hammer(int n, F body) {
  csp::Event go;  // so that none is done before the last has started
  auto proc = csp::process([&](int i) {
    go.wait();
    body(i);
  });
  std::vector<csp::Process<>> procs;
  for (int i = 0; i < n; ++i) procs.push_back(proc(i));
  for (auto& p : procs) p.start();
  go.set();
  for (auto& p : procs) p.join();
  for (auto& p : procs) p.result();
}

/// Runs `f`, expecting a csp::Error whose message contains each of `parts`.
template <class F>
void expect_error(F f, std::initializer_list<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "no csp::Error thrown";
  } catch (const csp::Error& e) {
    for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos)
        << "'" << e.what() << "' lacks '" << p << "'";
  }
}

/// Parks the calling process for a moment (on a timer), so that others run meanwhile: a
/// critical section that pauses is one that a missing exclusion would break. (Calls to an idle
/// owner complete in place without parking, so they cannot serve for this.)
inline void pause(const csp::Event& never_set) { never_set.wait(std::chrono::microseconds(20)); }

/// The process counts every hammering test runs with.
inline const auto process_counts = ::testing::Values(2, 10, 100);

}  // namespace csp_test
