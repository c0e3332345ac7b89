// What crosses to a multiprocess child and back: built-ins, containers and a user struct
// announced with CSP_MESSAGE_TYPE, in both directions.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <csp/csp.hpp>

#include "../framework/test_support.hpp"

namespace geometry {
struct Polygon {
  std::string name;
  std::vector<std::pair<double, double>> corners;
  int owner_pid = 0;
};
CSP_MESSAGE_TYPE(Polygon);
}  // namespace geometry

namespace {

// Moves every corner by (dx, dy) and signs the polygon with the child's pid.
auto Shift = csp::multiprocess([](geometry::Polygon p, double dx, double dy) {
  for (auto& [x, y] : p.corners) {
    x += dx;
    y += dy;
  }
  p.owner_pid = static_cast<int>(::getpid());
  return p;
});

auto Count = csp::multiprocess([](std::vector<std::string> words) {
  std::map<std::string, int> counts;
  for (auto& w : words) ++counts[w];
  return counts;
});

TEST(MultiprocessArguments, UserStructCrossesBothWays) {
  geometry::Polygon square{"square", {{0, 0}, {1, 0}, {1, 1}, {0, 1}}, 0};
  auto [moved] = csp::Parallel(Shift(square, 2.5, -1.0));
  EXPECT_EQ(moved.name, "square");
  ASSERT_EQ(moved.corners.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_DOUBLE_EQ(moved.corners[i].first, square.corners[i].first + 2.5);
    EXPECT_DOUBLE_EQ(moved.corners[i].second, square.corners[i].second - 1.0);
  }
  EXPECT_NE(moved.owner_pid, 0);
  EXPECT_NE(moved.owner_pid, ::getpid());
}

TEST(MultiprocessArguments, ContainersCross) {
  auto [counts] = csp::Parallel(Count(std::vector<std::string>{"a", "b", "a", "c", "a"}));
  EXPECT_EQ(counts, (std::map<std::string, int>{{"a", 3}, {"b", 1}, {"c", 1}}));
}

TEST(MultiprocessArguments, LargeArgumentCrosses) {
  std::vector<std::string> words(100000, "word");
  words.back() = "last";
  auto [counts] = csp::Parallel(Count(std::move(words)));
  EXPECT_EQ(counts.at("word"), 99999);
  EXPECT_EQ(counts.at("last"), 1);
}

auto Increment = csp::multiprocess([](csp::Value<int> v) { v.set(v.get() + 1); });

// Uses the value it was lent, then passes it on to a grandchild: what it reads after it.
auto PassOn = csp::multiprocess([](csp::Value<int> v) {
  v.set(1);
  auto grandchild = Increment(v);
  grandchild.start();
  if (!grandchild.join(std::chrono::seconds(30))) throw csp::Error("the grandchild hung");
  grandchild.result();
  return v.get();
});

TEST(MultiprocessArguments, LentHandlePassedOnToAGrandchild) {
  csp::Value<int> v(0);
  auto [seen] = csp::Parallel(PassOn(v));
  EXPECT_EQ(seen, 2);
  EXPECT_EQ(v.get(), 2);
}

// Holds `lock` while it takes the items of `queue` up to a negative one: their sum.
auto SumHolding = csp::multiprocess([](csp::Lock lock, csp::Queue<int> queue) {
  std::lock_guard hold(lock);
  int sum = 0;
  for (int item = queue.get(); item >= 0; item = queue.get()) sum += item;
  return sum;
});

auto PassOnToSum = csp::multiprocess([](csp::Lock lock, csp::Queue<int> queue) {
  auto [sum] = csp::Parallel(SumHolding(lock, queue));
  return sum;
});

TEST(MultiprocessArguments, GrandchildHoldsTheLockAndTakesTheItems) {
  csp::Lock lock;
  csp::Queue<int> queue;
  auto child = PassOnToSum(lock, queue);
  child.start();
  EXPECT_TRUE(csp_test::eventually([&] { return lock.locked(); }, std::chrono::seconds(30)));
  EXPECT_FALSE(lock.acquire(false));
  for (int item : {1, 2, 3, -1}) queue.put(item);
  ASSERT_TRUE(child.join(std::chrono::seconds(30)));
  EXPECT_EQ(child.result(), 6);
  EXPECT_TRUE(lock.acquire(false));  // the grandchild's hold ended with it
  lock.release();
  EXPECT_TRUE(queue.empty());
}

}  // namespace
