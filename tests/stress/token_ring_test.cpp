// Stress: a token ring of 100,000 processes (1,000 under sanitizers), each a lightweight
// context parked on its channel until the token comes round.

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "../framework/test_support.hpp"

namespace {

constexpr int ring_size = csp_test::sanitized ? 1'000 : 100'000;  // TSan makes each fiber slowly
constexpr int rounds = 3;

TEST(TokenRing, TokenComesRoundEveryNode) {
  // Channel i carries the token into node i.
  std::vector<csp::Channel<int>> ring(ring_size);
  auto Node = csp::process([](csp::ChannelEndRead<int> in, csp::ChannelEndWrite<int> out) {
    for (int r = 0; r < rounds; ++r) out(in() + 1);
  });
  auto Start = csp::process([](csp::ChannelEndRead<int> in, csp::ChannelEndWrite<int> out) {
    int token = 0;
    for (int r = 0; r < rounds; ++r) {
      out(token);
      token = in();
    }
    return token;
  });
  // Shared with the process running them, which may outlive this test if it fails.
  auto nodes = std::make_shared<std::vector<csp::Process<>>>();
  nodes->reserve(ring_size - 1);
  for (int i = 1; i < ring_size; ++i) nodes->push_back(Node(+ring[i], -ring[(i + 1) % ring_size]));
  auto start = Start(+ring[0], -ring[1]);
  auto rest = csp::Process<>([nodes] { csp::Parallel(*nodes); });
  start.start();
  rest.start();
  ASSERT_TRUE(start.join(std::chrono::seconds(50))) << "the token did not come round in time";
  ASSERT_TRUE(rest.join(std::chrono::seconds(5)));
  EXPECT_EQ(start.result(), rounds * (ring_size - 1));
  for (const auto& node : *nodes) ASSERT_EQ(node.exitcode(), 0) << node.name();
}

}  // namespace
