// Composition: Parallel and Sequence results and errors, Spawn with shutdown(), the runtime
// restarting after shutdown(), nested Parallel.

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <variant>
#include <vector>

#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using csp_test::drain;

auto Square = csp::process([](int x) { return x * x; });

std::vector<csp::Process<int>> squares(int n) {
  std::vector<csp::Process<int>> procs;
  for (int i = 0; i < n; ++i) procs.push_back(Square(i));
  return procs;
}

TEST(Parallel, RangeReturnsResultsInOrder) {
  auto procs = squares(4);
  EXPECT_EQ(csp::Parallel(procs), (std::vector<int>{0, 1, 4, 9}));
}

TEST(Parallel, VariadicReturnsTupleWithMonostateForVoid) {
  auto Nothing = csp::process([] {});
  auto Text = csp::process([] { return std::string("text"); });
  auto result = csp::Parallel(Square(3), Nothing(), Text());
  static_assert(std::is_same_v<decltype(result), std::tuple<int, std::monostate, std::string>>);
  auto [a, b, c] = result;
  EXPECT_EQ(a, 9);
  EXPECT_EQ(c, "text");
}

TEST(Parallel, EmptyReturnsImmediately) {
  static_assert(std::is_same_v<decltype(csp::Parallel()), std::tuple<>>);
  csp::Parallel();
  std::vector<csp::Process<int>> none;
  EXPECT_TRUE(csp::Parallel(none).empty());
  EXPECT_TRUE(csp::Sequence(none).empty());
}

TEST(Parallel, RunsProcessesConcurrently) {
  // Each needs the other: run one after the other, they would never end.
  csp::Channel<int> a, b;
  auto Ping = csp::process([](csp::ChannelEndWrite<int> out, csp::ChannelEndRead<int> in) {
    out(1);
    return in();
  });
  auto Pong = csp::process([](csp::ChannelEndRead<int> in, csp::ChannelEndWrite<int> out) {
    int v = in();
    out(v + 1);
  });
  auto [got, _] = csp::Parallel(Ping(-a, +b), Pong(+a, -b));
  EXPECT_EQ(got, 2);
}

TEST(Parallel, WaitsForAllBeforeRethrowing) {
  csp::Channel<int> c(csp::Buffer{10});
  auto Fails = csp::process([] { throw std::runtime_error("fails"); });
  // Unconnected to the failing one: Parallel must still wait for it to finish its writes.
  auto Writes = csp::process([](csp::ChannelEndWrite<int> out) {
    for (int i = 0; i < 10; ++i) out(i);
  });
  auto writes = Writes(-c);
  EXPECT_THROW(csp::Parallel(Fails(), std::move(writes)), std::runtime_error);
  EXPECT_EQ(writes.exitcode(), 0);
  EXPECT_EQ(c.reader().core_ptr()->stats().buffered, 10u);
}

TEST(Parallel, RangeRethrows) {
  std::vector<csp::Process<int>> procs = squares(3);
  procs.emplace_back([]() -> int { throw std::invalid_argument("bad"); });
  EXPECT_THROW(csp::Parallel(procs), std::invalid_argument);
}

TEST(Parallel, NestedInsideAProcess) {
  csp::Channel<int> c;
  auto Outer = csp::process([](csp::ChannelEndRead<int> in) {
    auto Inner = csp::process([](csp::ChannelEndRead<int> in) { return in() + in(); });
    auto [a, b] = csp::Parallel(Square(5), Inner(in));
    return a + b;
  });
  auto Feed = csp::process([](csp::ChannelEndWrite<int> out) {
    out(1);
    out(2);
  });
  auto [sum, _] = csp::Parallel(Outer(+c), Feed(-c));
  EXPECT_EQ(sum, 25 + 3);
}

TEST(Sequence, RunsOneAfterAnother) {
  csp::Channel<int> log(csp::Buffer{10});
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  auto Step = csp::process([&](csp::ChannelEndWrite<int> out, int id) {
    most = std::max(most.load(), ++running);
    // Parks (on a timeout) so that an overlapping process would get to run meanwhile.
    csp::AltSelect(csp::TimeoutGuard(2ms));
    out(id);
    --running;
    return id;
  });
  auto result = csp::Sequence(Step(-log, 0), Step(-log, 1), Step(-log, 2));
  EXPECT_EQ(result, std::make_tuple(0, 1, 2));
  EXPECT_EQ(most.load(), 1);
  auto in = +log;
  EXPECT_EQ((std::vector<int>{in(), in(), in()}), (std::vector<int>{0, 1, 2}));
}

TEST(Sequence, Range) {
  auto procs = squares(5);
  EXPECT_EQ(csp::Sequence(procs), (std::vector<int>{0, 1, 4, 9, 16}));
}

TEST(Sequence, StopsAtFirstError) {
  auto Fails = csp::process([] { throw std::runtime_error("stop here"); });
  auto before = Square(2);
  auto after = Square(3);
  try {
    csp::Sequence(std::move(before), Fails(), std::move(after));
    ADD_FAILURE() << "Sequence did not rethrow";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "stop here");
  }
  EXPECT_EQ(before.exitcode(), 0);
  EXPECT_FALSE(after.pid()) << "the process after the failing one was started";
}

TEST(Sequence, ChannelExceptionDoesNotStopIt) {
  auto Retires = csp::process([] { throw csp::ChannelRetireException("done"); });
  auto [a, b] = csp::Sequence(Retires(), Square(4));
  EXPECT_EQ(b, 16);
}

TEST(Spawn, ShutdownWaitsForSpawnedProcesses) {
  std::atomic<bool> finished{false};
  csp::Spawn(csp::Process<>([&] {
    csp::AltSelect(csp::TimeoutGuard(100ms));
    finished = true;
  }));
  csp::shutdown();
  EXPECT_TRUE(finished);
}

TEST(Spawn, SpawnedProcessTalksToMain) {
  csp::Channel<int> c;
  auto Counter = csp::process([](csp::ChannelEndWrite<int> out) {
    for (int i = 0; i < 5; ++i) out(i);
    csp::retire(out);
  });
  csp::Spawn(Counter(-c));
  EXPECT_EQ(drain(+c), (std::vector<int>{0, 1, 2, 3, 4}));
  csp::shutdown();
}

TEST(Spawn, RuntimeRestartsAfterShutdown) {
  for (int round = 0; round < 3; ++round) {
    auto procs = squares(4);
    EXPECT_EQ(csp::Parallel(procs), (std::vector<int>{0, 1, 4, 9}));
    csp::Channel<int> c;
    csp::Spawn(Square(2), csp::Process<>([out = -c, round]() mutable { out(round); }));
    EXPECT_EQ(c.reader()(), round);
    auto r = csp::AltSelect(csp::TimeoutGuard(1ms));  // the timer works after a restart too
    EXPECT_EQ(r.index(), 0u);
    csp::shutdown();
  }
}

TEST(Spawn, ShutdownFromInsideAProcessThrows) {
  auto [threw] = csp::Parallel(csp::Process<bool>([] {
    try {
      csp::shutdown();
    } catch (const csp::Error&) {
      return true;
    }
    return false;
  }));
  EXPECT_TRUE(threw);
}

}  // namespace
