// Remote channels between real OS processes over loopback: thousands of messages, any-to-any
// with two client processes, a user struct, writes in flight to a buffered channel (on credit),
// a peer killed with SIGKILL in mid-stream, and a server's shutdown seen by its peer.

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <utility>

#include "child.hpp"
#include "messages.hpp"
#include "raw_peer.hpp"

using namespace std::chrono_literals;
using remote_test::Child;

namespace {

TEST(RemoteProcess, TenThousandMessagesAcross) {
  csp::Channel<int> a("A");
  std::uint16_t port = csp::serve(0);
  Child peer({"write", std::to_string(port), "A", "10000"});
  auto in = +a;
  long sum = 0;
  for (int i = 0; i < 10000; ++i) {
    int v = in();
    ASSERT_EQ(v, i);  // one writer: in order
    sum += v;
  }
  EXPECT_EQ(sum, 9999L * 10000 / 2);
  EXPECT_THROW(in(), csp::ChannelRetireException);  // the remote writer retired
  EXPECT_EQ(peer.wait(10s), 0);
}

TEST(RemoteProcess, AnyToAnyWithTwoClientProcesses) {
  csp::Channel<int> work("work");
  csp::Channel<int> results("results");
  csp::Channel<std::pair<long, long>> report("report");
  std::uint16_t port = csp::serve(0);
  std::string p = std::to_string(port);
  // Two remote writers into one local reader, two remote readers of one local writer.
  // The test writes nothing to "results" but stays joined until both writers are heard from:
  // one that finished before the other joined would retire the channel.
  auto held = -results;
  Child w1({"write", p, "results", "3000"});
  Child w2({"write", p, "results", "3000"});
  Child r1({"drain", p, "work", "report"});
  Child r2({"drain", p, "work", "report"});
  auto in = +results;
  long got = 0, sum = 0;
  try {
    for (;;) {
      sum += in();
      if (++got == 3001) csp::retire(held);  // more than one writer's worth: both have joined
    }
  } catch (const csp::ChannelRetireException&) {
  }
  EXPECT_EQ(got, 6000);
  EXPECT_EQ(sum, 2 * (2999L * 3000 / 2));

  // However the two readers share them, every message is taken exactly once.
  auto out = -work;
  for (int i = 1; i <= 4000; ++i) out(i);
  csp::retire(out);
  auto reports = +report;
  std::pair<long, long> a = reports(), b = reports();
  EXPECT_EQ(a.first + b.first, 4000);
  EXPECT_EQ(a.second + b.second, 4000L * 4001 / 2);
  for (Child* c : {&w1, &w2, &r1, &r2}) EXPECT_EQ(c->wait(10s), 0);
}

// Reads `n` messages from `in`, checking that those from each writer (base 0 or 100000)
// arrive in order, and retires `held` once both have been heard from (so both have joined);
// returns how many came from each.
std::pair<int, int> read_two_writers(csp::ChannelEndRead<int>& in, csp::ChannelEndWrite<int>& held, int n) {
  int next[2] = {0, 100000};
  bool heard_both = false;
  for (int i = 0; i < n; ++i) {
    int v = in();
    int& expected = next[v >= 100000];
    EXPECT_EQ(v, expected);
    if (v != expected) break;
    ++expected;
    if (!heard_both && next[0] > 0 && next[1] > 100000) {
      heard_both = true;
      csp::retire(held);
    }
  }
  return {next[0], next[1] - 100000};
}

TEST(RemoteProcess, BufferedChannelTakesTenThousandWritesInOrder) {
  csp::Channel<int> b("B", csp::Buffer{64});
  std::uint16_t port = csp::serve(0);
  Child peer({"process-write", std::to_string(port), "B", "10000", "0"});
  auto in = +b;
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(in(), i);  // each once, in order
  EXPECT_THROW(in(), csp::ChannelRetireException);
  EXPECT_EQ(peer.wait(10s), 0);
}

TEST(RemoteProcess, RetireAfterWritesInFlightComesAfterThem) {
  csp::Channel<int> b("B", csp::Buffer{8});
  std::uint16_t port = csp::serve(0);
  Child peer({"write", std::to_string(port), "B", "100"});
  std::this_thread::sleep_for(300ms);  // the buffer fills, and writes wait on credit behind it
  auto in = +b;
  for (int i = 0; i < 100; ++i) ASSERT_EQ(in(), i);
  EXPECT_THROW(in(), csp::ChannelRetireException);
  EXPECT_EQ(peer.wait(10s), 0);
}

TEST(RemoteProcess, ReaderPoisonReachesAWriterWithWritesInFlight) {
  csp::Channel<int> b("B", csp::Buffer{8});
  std::uint16_t port = csp::serve(0);
  Child peer({"write-until-poisoned", std::to_string(port), "B"});
  auto in = +b;
  for (int i = 0; i < 100; ++i) ASSERT_EQ(in(), i);
  csp::poison(in);
  // The writer fails on a later write; what it wrote after the 100 read was buffered or in
  // flight (8 each at most), and is cleared as a buffer is.
  int returned = std::stoi(peer.line());
  EXPECT_GE(returned, 100);
  EXPECT_LE(returned, 100 + 2 * 8);
  EXPECT_EQ(peer.wait(10s), 0);
}

TEST(RemoteProcess, TwoWritersOnCreditIntoOneBufferedChannel) {
  csp::Channel<int> b("B", csp::Buffer{16});
  std::uint16_t port = csp::serve(0);
  std::string p = std::to_string(port);
  auto held = -b;  // joined until both writers are heard from, as in AnyToAnyWithTwoClientProcesses
  Child w1({"process-write", p, "B", "3000", "0"});
  Child w2({"process-write", p, "B", "3000", "100000"});
  auto in = +b;
  EXPECT_EQ(read_two_writers(in, held, 6000), std::make_pair(3000, 3000));
  EXPECT_THROW(in(), csp::ChannelRetireException);  // once both retired
  EXPECT_EQ(w1.wait(10s), 0);
  EXPECT_EQ(w2.wait(10s), 0);
}

TEST(RemoteProcess, UserStructAcross) {
  csp::Channel<remote_test::Reading> a("readings");
  std::uint16_t port = csp::serve(0);
  Child peer({"readings", std::to_string(port), "readings", "500"});
  auto in = +a;
  for (int i = 0; i < 500; ++i) ASSERT_EQ(in(), remote_test::reading(i));
  EXPECT_THROW(in(), csp::ChannelRetireException);
  EXPECT_EQ(peer.wait(10s), 0);
}

TEST(RemoteProcess, KilledWriterPoisonsWithinOneSecond) {
  csp::Channel<int> a("A");
  std::uint16_t port = csp::serve(0);
  Child peer({"write-forever", std::to_string(port), "A"});
  auto in = +a;
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(in(), i);
  peer.kill();
  auto killed = std::chrono::steady_clock::now();
  EXPECT_THROW(
      for (;;) in(), csp::ChannelPoisonException);
  EXPECT_LT(std::chrono::steady_clock::now() - killed, 1s);
}

TEST(RemoteProcess, KilledManagerServerFailsRequestsInFlightAndLater) {
  Child server({"serve-manager"});
  auto port = static_cast<std::uint16_t>(std::stoi(server.line()));
  csp::Manager m("inventory", csp::Connect{"127.0.0.1", port});
  auto stock = m.dict<std::string, int>("stock");
  EXPECT_EQ(stock.get("apples"), 3);
  auto count = m.value<int>("count");
  std::string in_flight;
  std::thread waiter([&] {
    try {
      count.get();  // waits there: the server holds the value's lock
    } catch (const csp::Error& e) {
      in_flight = e.what();
    }
  });
  std::this_thread::sleep_for(100ms);
  server.kill();
  waiter.join();
  EXPECT_NE(in_flight.find("the connection is lost"), std::string::npos) << in_flight;
  EXPECT_THROW(stock.get("apples"), csp::Error);
}

TEST(RemoteProcess, KilledServerPoisonsItsClientsWithinOneSecond) {
  Child server({"serve-forever", "A"});
  auto port = static_cast<std::uint16_t>(std::stoi(server.line()));
  csp::Channel<int> a("A", csp::Connect{"127.0.0.1", port});
  auto in = +a;
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(in(), i);
  server.kill();
  auto killed = std::chrono::steady_clock::now();
  EXPECT_THROW(
      for (;;) in(), csp::ChannelPoisonException);
  EXPECT_LT(std::chrono::steady_clock::now() - killed, 1s);
}

TEST(RemoteProcess, ShutdownEndsItsSessionsAsItsDeathWould) {
  csp::Channel<int> a("A");
  std::uint16_t port = csp::serve(0);
  Child peer({"write-until-poisoned", std::to_string(port), "A"});
  auto in = +a;
  for (int i = 0; i < 100; ++i) ASSERT_EQ(in(), i);
  csp::shutdown();
  ASSERT_EQ(peer.wait(5s), 0);  // its next write failed as poisoned, so it counted them
  EXPECT_GE(std::stoi(peer.line()), 99);  // the last one taken may have gone unacknowledged
  EXPECT_TRUE(remote_test::connection_refused(port));

  csp::Channel<int> again("B");
  Child second({"write-until-poisoned", std::to_string(csp::serve(0)), "B"});
  auto in_again = +again;
  EXPECT_EQ(in_again(), 0);
  csp::poison(in_again);
  EXPECT_EQ(second.wait(5s), 0);
}

}  // namespace
