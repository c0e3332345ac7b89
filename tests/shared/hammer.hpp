// Helpers for the shared-state tests: run n processes at once, and check an error's message.
#pragma once

#include <gtest/gtest.h>

#include <csp/csp.hpp>
#include <string>
#include <vector>

namespace csp_test {

/// Runs `body(i)` in `n` processes at once and waits for all of them.
template <class F>
void hammer(int n, F body) {
  auto proc = csp::process(body);
  std::vector<csp::Process<>> procs;
  for (int i = 0; i < n; ++i) procs.push_back(proc(i));
  csp::Parallel(procs);
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

/// The process counts every hammering test runs with.
inline const auto process_counts = ::testing::Values(2, 10, 100);

}  // namespace csp_test
