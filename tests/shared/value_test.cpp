#include <csp/csp.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <thread>

#include "hammer.hpp"

using csp_test::expect_error;
using csp_test::hammer;

namespace {

struct Point {
  double x;
  double y;
};

TEST(Value, GetSetUpdate) {
  csp::Value<int> v(5);
  EXPECT_EQ(v.get(), 5);
  v.set(7);
  EXPECT_EQ(v.get(), 7);
  v.update([](int& x) { x *= 3; });
  EXPECT_EQ(v.get(), 21);
  EXPECT_EQ(v.update([](int& x) { return ++x; }), 22);
}

TEST(Value, CopiesShareOneValue) {
  csp::Value<double> a(1.5);
  csp::Value<double> b = a;
  b.set(-2.5);
  EXPECT_EQ(a.get(), -2.5);
  EXPECT_EQ(a.name(), b.name());
}

TEST(Value, DefaultIsValueInitialized) {
  csp::Value<long> v;
  EXPECT_EQ(v.get(), 0);
}

TEST(Value, TrivialStruct) {
  csp::Value<Point> p(Point{1, 2});
  p.update([](Point& q) { std::swap(q.x, q.y); });
  EXPECT_EQ(p.get().x, 2);
  EXPECT_EQ(p.get().y, 1);
}

TEST(Value, UpdateErrorReachesCallerAndOwnerKeepsServing) {
  csp::Value<int> v(1);
  EXPECT_THROW(v.update([](int&) { throw std::runtime_error("boom"); }), std::runtime_error);
  v.update([](int& x) { ++x; });
  EXPECT_EQ(v.get(), 2);
}

TEST(Value, BlockingCallInsideUpdateIsAnError) {
  csp::Value<int> v(1);
  csp::Value<int> other(2);
  expect_error([&] { v.update([&](int& x) { x = other.get(); }); }, {"update function"});
  EXPECT_EQ(v.get(), 1);
}

TEST(Value, UsableFromPlainThread) {
  csp::Value<int> v(0);
  std::thread t([v] { for (int i = 0; i < 100; ++i) v.update([](int& x) { ++x; }); });
  t.join();
  EXPECT_EQ(v.get(), 100);
}

class ValueHammer : public ::testing::TestWithParam<int> {};

TEST_P(ValueHammer, UpdatesAreAtomic) {
  const int n = GetParam(), each = 20000 / n;
  csp::Value<int> v(0);
  hammer(n, [=](int) {
    for (int i = 0; i < each; ++i) v.update([](int& x) { ++x; });
  });
  EXPECT_EQ(v.get(), n * each);
}

TEST_P(ValueHammer, GetLockMakesReadModifyWriteAtomic) {
  const int n = GetParam(), each = 2000 / n;
  csp::Value<int> v(0);
  hammer(n, [=](int) {
    for (int i = 0; i < each; ++i) {
      std::lock_guard guard(v.get_lock());
      v.set(v.get() + 1);
    }
  });
  EXPECT_EQ(v.get(), n * each);
}

TEST_P(ValueHammer, UpdatesWaitForAnotherProcessHoldingTheLock) {
  // Half the processes add under get_lock() with get and set, half with update: the owner
  // holds back updates while the lock is held, so no increment is lost.
  const int n = GetParam(), each = 1000 / n;
  csp::Value<int> v(0);
  csp::Event never;
  hammer(n, [=](int id) {
    for (int i = 0; i < each; ++i) {
      if (id % 2) {
        v.update([](int& x) { ++x; });
      } else {
        std::lock_guard guard(v.get_lock());
        int x = v.get();
        csp_test::pause(never);  // the others' updates arrive and must wait
        v.set(x + 1);
      }
    }
  });
  EXPECT_EQ(v.get(), n * each);
}

INSTANTIATE_TEST_SUITE_P(Processes, ValueHammer, csp_test::process_counts);

TEST(Array, Basics) {
  csp::Array<double> a(10);
  EXPECT_EQ(a.size(), 10u);
  EXPECT_EQ(a.get(9), 0.0);
  a.set(3, 2.5);
  EXPECT_EQ(a.get(3), 2.5);
  csp::Array<int> b{0, 1, 2, 3};
  EXPECT_EQ(b.snapshot(), (std::vector<int>{0, 1, 2, 3}));
  b.update([](std::span<int> s) { std::ranges::reverse(s); });
  EXPECT_EQ(b.snapshot(), (std::vector<int>{3, 2, 1, 0}));
  EXPECT_EQ(b.update([](std::span<int> s) { return s[0] + s[1]; }), 5);
}

TEST(Array, IndexOutOfRangeIsAnErrorAndOwnerKeepsServing) {
  csp::Array<int> a{1, 2, 3};
  expect_error([&] { a.get(3); }, {"index 3", a.name(), "size 3"});
  expect_error([&] { a.set(7, 1); }, {"index 7"});
  a.set(2, 9);
  EXPECT_EQ(a.get(2), 9);
}

TEST(Array, OfPoints) {
  csp::Array<Point> a{{1, 2}, {3, 4}};
  a.update([](std::span<Point> s) {
    for (Point& p : s) p = {p.x * p.x, p.y * p.y};
  });
  auto s = a.snapshot();
  EXPECT_EQ(s[0].x, 1);
  EXPECT_EQ(s[1].y, 16);
}

class ArrayHammer : public ::testing::TestWithParam<int> {};

TEST_P(ArrayHammer, ElementUpdatesAreExact) {
  const int n = GetParam(), each = 20000 / n;
  csp::Array<int> a(7);
  hammer(n, [=](int id) {
    for (int i = 0; i < each; ++i)
      a.update([slot = (id + i) % 7](std::span<int> s) { ++s[slot]; });
  });
  auto s = a.snapshot();
  EXPECT_EQ(std::accumulate(s.begin(), s.end(), 0), n * each);
}

TEST_P(ArrayHammer, LockedSetsAreExact) {
  const int n = GetParam(), each = 1000 / n;
  csp::Array<int> a(3);
  hammer(n, [=](int id) {
    for (int i = 0; i < each; ++i) {
      std::lock_guard guard(a.get_lock());
      std::size_t slot = static_cast<std::size_t>(id % 3);
      a.set(slot, a.get(slot) + 1);
    }
  });
  auto s = a.snapshot();
  EXPECT_EQ(std::accumulate(s.begin(), s.end(), 0), n * each);
}

INSTANTIATE_TEST_SUITE_P(Processes, ArrayHammer, csp_test::process_counts);

}  // namespace
