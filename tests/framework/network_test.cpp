// csp::dump_network: which processes exist, what each waits on, which have ended, and the
// channels behind their ends with their readers and writers.

#include <gtest/gtest.h>

#include <csp/csp.hpp>
#include <sstream>
#include <string>

#include "test_support.hpp"

namespace {

std::string dump() {
  std::ostringstream out;
  csp::dump_network(out);
  return out.str();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(DumpNetwork, ShowsAParkedProcessItsChannelAndAnEndedOne) {
  csp::Channel<int> quiet("dump-quiet");
  auto Parked = csp::process("Parked", [](csp::ChannelEndRead<int> in) { return in(); });
  auto Quick = csp::process("Quick", [](csp::ChannelEndWrite<int>) {});
  auto in = quiet.reader();
  auto parked = Parked(in);
  parked.start();
  csp::Spawn(Quick(-quiet));
  ASSERT_TRUE(csp_test::readers_waiting(in));
  ASSERT_TRUE(csp_test::eventually([&] { return contains(dump(), "'Quick' has ended"); }));

  std::string text = dump();
  EXPECT_TRUE(contains(text, "process 'Parked' waits on a read from channel 'dump-quiet'")) << text;
  EXPECT_TRUE(contains(text, "process 'Quick' has ended (exit code 0)")) << text;
  EXPECT_TRUE(contains(text, "channel 'dump-quiet': 1 reader and 1 writer joined, 1 reader and 0 writers waiting"))
      << text;

  auto out = quiet.writer();
  out(7);
  ASSERT_TRUE(parked.join(std::chrono::seconds(10)));
  // Once its fiber is gone (just after join returns), a joined process leaves the network.
  EXPECT_TRUE(csp_test::eventually([] { return !contains(dump(), "'Parked'"); })) << dump();
  csp::shutdown();
}

TEST(DumpNetwork, AProcessSeesItselfRunningAndItsParallelSiblingsEnded) {
  csp::Channel<int> link("dump-link");
  auto Done = csp::process("Done", [] {});
  auto Looker = csp::process("Looker", [](csp::ChannelEndWrite<int> out) {
    csp::Parallel(csp::process("Inner", [] {})());  // lets Done run to its end first
    std::ostringstream text;
    csp::dump_network(text);
    csp::retire(out);
    return text.str();
  });
  auto [done, text] = csp::Parallel(Done(), Looker(-link));
  EXPECT_TRUE(contains(text, "process 'Looker' is running")) << text;
  EXPECT_TRUE(contains(text, "process 'Done' has ended (exit code 0)")) << text;
  EXPECT_TRUE(contains(text, "channel 'dump-link': 0 readers and 1 writer joined")) << text;
}

TEST(DumpNetwork, EmptyRuntimeHasNoProcesses) {
  csp::shutdown();
  EXPECT_EQ(dump(), "0 processes and 0 channels:\n");
}

}  // namespace
