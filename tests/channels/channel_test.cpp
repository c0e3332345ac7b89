#include <gtest/gtest.h>
#include <csp/csp.hpp>
TEST(Channel, Smoke) {
  csp::Channel<int> c;
  auto P = csp::process([](csp::ChannelEndWrite<int> out) { for (int i = 0; i < 3; ++i) out(i); csp::retire(out); });
  auto C = csp::process([](csp::ChannelEndRead<int> in) { int s = 0; try { for (;;) s += in(); } catch (const csp::ChannelRetireException&) {} return s; });
  auto [a, b] = csp::Parallel(P(-c), C(+c));
  (void)a;
  EXPECT_EQ(b, 3);
}
