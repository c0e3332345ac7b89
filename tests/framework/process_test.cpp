#include <gtest/gtest.h>
#include <csp/csp.hpp>
TEST(Process, Smoke) {
  auto Square = csp::process([](int x) { return x * x; });
  std::vector<csp::Process<int>> v;
  for (int i = 0; i < 4; ++i) v.push_back(Square(i));
  EXPECT_EQ(csp::Parallel(v), (std::vector<int>{0, 1, 4, 9}));
}
