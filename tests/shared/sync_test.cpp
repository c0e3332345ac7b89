#include <csp/csp.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <numeric>

#include "../framework/test_support.hpp"
#include "hammer.hpp"

using namespace std::chrono_literals;
using csp_test::expect_error;
using csp_test::hammer;

namespace {

TEST(Semaphore, CountsAndTimesOut) {
  csp::Semaphore s(2);
  EXPECT_TRUE(s.acquire());
  EXPECT_TRUE(s.try_lock());
  EXPECT_EQ(s.get_value(), 0u);
  EXPECT_FALSE(s.acquire(false));
  EXPECT_FALSE(s.acquire(10ms));
  s.release(2);
  EXPECT_EQ(s.get_value(), 2u);
  { std::lock_guard guard(s); EXPECT_EQ(s.get_value(), 1u); }
  s.release();  // an unbounded semaphore may go above its start
  EXPECT_EQ(s.get_value(), 3u);
}

TEST(BoundedSemaphore, ReleasingAboveStartIsAnError) {
  csp::BoundedSemaphore s(1);
  expect_error([&] { s.release(); }, {s.name(), "released more"});
  s.acquire();
  s.release();
  EXPECT_EQ(s.get_value(), 1u);
}

TEST(Event, SetClearWait) {
  csp::Event e;
  EXPECT_FALSE(e.is_set());
  EXPECT_FALSE(e.wait(10ms));
  e.set();
  EXPECT_TRUE(e.is_set());
  EXPECT_TRUE(e.wait(10ms));
  e.wait();
  e.clear();
  EXPECT_FALSE(e.is_set());
}

TEST(Event, TimedOutWaiterDoesNotDisturbLaterOnes) {
  csp::Event e;
  EXPECT_FALSE(e.wait(1ms));
  csp::Process<> waiter{[e] { e.wait(); }};
  waiter.start();
  EXPECT_FALSE(waiter.join(10ms));
  e.set();
  waiter.join();
}

TEST(Condition, WaitWithoutLockIsAnError) {
  csp::Condition c;
  expect_error([&] { c.wait(); }, {c.name(), "does not hold"});
}

TEST(Condition, WaitTimesOutAndTakesLockBack) {
  csp::Condition c;
  std::unique_lock guard(c);
  EXPECT_FALSE(c.wait(10ms));
  bool other = true;
  csp::Parallel(csp::Process<>{[&] { other = c.try_lock(); }});
  EXPECT_FALSE(other);  // still held by this thread
}

TEST(Condition, WithPlainLock) {
  csp::Lock lock;
  csp::Condition c(lock);
  csp::Value<bool> ready(false);
  csp::Process<> waiter{[&] {
    std::unique_lock guard(c);
    c.wait_for([&] { return ready.get(); });
  }};
  waiter.start();
  {
    std::lock_guard guard(c);
    ready.set(true);
    c.notify();
  }
  waiter.join();
  EXPECT_FALSE(lock.locked());
}

class SyncHammer : public ::testing::TestWithParam<int> {};

TEST_P(SyncHammer, SemaphoreAdmitsAtMostItsCount) {
  const int n = GetParam(), each = 1000 / n;
  csp::Semaphore s(3);
  csp::Event never;
  std::atomic<int> inside{0}, most{0}, done{0};
  hammer(n, [&](int) {
    for (int i = 0; i < each; ++i) {
      std::lock_guard guard(s);
      int now = ++inside;
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {}
      csp_test::pause(never);  // others try to enter meanwhile
      --inside;
      ++done;
    }
  });
  EXPECT_EQ(done.load(), n * each);
  EXPECT_LE(most.load(), 3);
  EXPECT_GE(most.load(), 2);
  EXPECT_EQ(s.get_value(), 3u);
}

TEST_P(SyncHammer, EventReleasesEveryWaiter) {
  const int n = GetParam();
  csp::Event go;
  csp::Value<int> arrived(0), passed(0);
  csp::Process<> all{[&] {
    hammer(n, [&](int) {
      arrived.update([](int& x) { ++x; });
      go.wait();
      passed.update([](int& x) { ++x; });
    });
  }};
  all.start();
  ASSERT_TRUE(csp_test::eventually([&] { return arrived.get() == n; }));
  EXPECT_EQ(passed.get(), 0);
  go.set();
  all.join();
  EXPECT_EQ(passed.get(), n);
}

TEST_P(SyncHammer, ConditionTakesTurns) {
  // Each process waits for its turn, so the order is exact: 0, 1, ..., n-1, twice.
  const int n = GetParam();
  csp::Condition c;
  csp::Value<int> turn(0);
  csp::Array<int> order(static_cast<std::size_t>(2 * n));
  hammer(n, [&](int id) {
    for (int round = 0; round < 2; ++round) {
      std::unique_lock guard(c);
      c.wait_for([&] { return turn.get() % n == id; });
      int t = turn.get();
      order.set(static_cast<std::size_t>(t), id);
      turn.set(t + 1);
      c.notify_all();
    }
  });
  std::vector<int> expected(static_cast<std::size_t>(2 * n));
  for (int i = 0; i < 2 * n; ++i) expected[static_cast<std::size_t>(i)] = i % n;
  EXPECT_EQ(order.snapshot(), expected);
}

TEST_P(SyncHammer, BarrierRoundsGiveEveryIndexOnce) {
  const int n = GetParam(), rounds = 3;
  csp::Barrier b(static_cast<std::size_t>(n));
  csp::Array<int> seen(static_cast<std::size_t>(rounds * n));
  csp::Value<int> arrivals(0), early(0);
  hammer(n, [&](int) {
    for (int r = 0; r < rounds; ++r) {
      arrivals.update([](int& x) { ++x; });
      std::size_t i = b.wait();
      // Whoever leaves round r's wait does so after all n arrived at it.
      if (arrivals.get() < (r + 1) * n) early.update([](int& x) { ++x; });
      seen.update([&](std::span<int> s) { ++s[static_cast<std::size_t>(r * n) + i]; });
    }
  });
  auto s = seen.snapshot();
  EXPECT_TRUE(std::ranges::all_of(s, [](int x) { return x == 1; }));
  EXPECT_EQ(early.get(), 0);
  EXPECT_EQ(b.n_waiting(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Processes, SyncHammer, csp_test::process_counts);

TEST(Barrier, AbortBreaksWaitersAndResetRepairs) {
  csp::Barrier b(3);
  csp::Process<> waiter{[b] { EXPECT_THROW(b.wait(), csp::BrokenBarrierError); }};
  waiter.start();
  ASSERT_TRUE(csp_test::eventually([&] { return b.n_waiting() == 1; }));
  b.abort();
  waiter.join();
  EXPECT_TRUE(b.broken());
  EXPECT_THROW(b.wait(), csp::BrokenBarrierError);
  b.reset();
  EXPECT_FALSE(b.broken());
  csp::Barrier one(1);
  EXPECT_EQ(one.wait(), 0u);
}

TEST(Barrier, TimeoutBreaksIt) {
  csp::Barrier b(2);
  EXPECT_THROW(b.wait(10ms), csp::BrokenBarrierError);
  EXPECT_TRUE(b.broken());
}

}  // namespace
