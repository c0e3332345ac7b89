#include <csp/csp.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <string>

#include "hammer.hpp"

using namespace std::chrono_literals;
using csp_test::expect_error;
using csp_test::hammer;

namespace {

TEST(Dict, Api) {
  csp::Manager m;
  auto d = m.dict<std::string, int>();
  EXPECT_EQ(d.size(), 0u);
  d.set("a", 1);
  d.set("b", 2);
  EXPECT_EQ(d.get("a"), 1);
  EXPECT_EQ(d.get("zz", 9), 9);
  EXPECT_TRUE(d.contains("b"));
  EXPECT_EQ(d.update("a", [](int& v) { return v += 10; }), 11);
  d.update("new", [](int& v) { v += 5; });  // inserted value-initialized first
  EXPECT_EQ(d.get("new"), 5);
  EXPECT_EQ(d.setdefault("a", 0), 11);
  EXPECT_EQ(d.keys(), (std::vector<std::string>{"a", "b", "new"}));
  EXPECT_EQ(d.values(), (std::vector<int>{11, 2, 5}));
  EXPECT_EQ(d.pop("b"), 2);
  EXPECT_TRUE(d.erase("new"));
  EXPECT_FALSE(d.erase("new"));
  EXPECT_EQ(d.items(), (std::vector<std::pair<std::string, int>>{{"a", 11}}));
  d.clear();
  EXPECT_EQ(d.size(), 0u);
}

TEST(Dict, MissingKeyIsAnErrorNamingTheKey) {
  csp::Dict<std::string, int> d;
  expect_error([&] { d.get("nope"); }, {"'nope'", d.name(), "not found"});
  expect_error([&] { d.pop("gone"); }, {"'gone'"});
  csp::Dict<int, double> e;
  expect_error([&] { e.get(42); }, {"key 42"});
  d.set("ok", 1);
  EXPECT_EQ(d.get("ok"), 1);
}

TEST(List, Api) {
  csp::Manager m;
  auto l = m.list<int>();
  l.append(1);
  l.extend({2, 3});
  l.insert(0, 0);
  EXPECT_EQ(l.snapshot(), (std::vector<int>{0, 1, 2, 3}));
  l.set(1, 10);
  EXPECT_EQ(l.get(1), 10);
  EXPECT_EQ(l.pop(), 3);
  EXPECT_EQ(l.size(), 3u);
  l.update([](std::vector<int>& v) { std::ranges::sort(v, std::greater{}); });
  EXPECT_EQ(l.snapshot(), (std::vector<int>{10, 2, 0}));
  EXPECT_EQ(l.update(2, [](int& x) { return ++x; }), 1);
  expect_error([&] { l.get(3); }, {"index 3", l.name()});
  expect_error([&] { l.update(5, [](int&) {}); }, {"index 5"});
  l.clear();
  expect_error([&] { l.pop(); }, {"size 0"});
}

TEST(Namespace, Api) {
  csp::Manager m;
  auto ns = m.Namespace();
  ns.set("x", 1);
  ns.set("y", 2.5);
  ns.set("label", "abc");
  EXPECT_EQ(ns.get<int>("x"), 1);
  EXPECT_EQ(ns.get<double>("y"), 2.5);
  EXPECT_EQ(ns.get<std::string>("label"), "abc");
  EXPECT_EQ(ns.update<int>("x", [](int& x) { return x += 5; }), 6);
  EXPECT_EQ(ns.names(), (std::vector<std::string>{"label", "x", "y"}));
  EXPECT_TRUE(ns.erase("label"));
  EXPECT_FALSE(ns.contains("label"));
}

TEST(Namespace, WrongTypeAndMissingAreErrors) {
  csp::Namespace ns;
  ns.set("x", 1);
  expect_error([&] { ns.get<double>("x"); }, {"x holds int, not double"});
  expect_error([&] { ns.update<std::string>("x", [](std::string&) {}); }, {"holds int"});
  expect_error([&] { ns.get<int>("nope"); }, {"no attribute 'nope'"});
  EXPECT_EQ(ns.get<int>("x"), 1);
}

TEST(Manager, MakesEverySharedObject) {
  csp::Manager m;
  auto q = m.Queue<int>(1);
  q.put(1);
  EXPECT_EQ(q.get(), 1);
  auto v = m.Value<int>(3);
  v.update([](int& x) { x *= 2; });
  EXPECT_EQ(v.get(), 6);
  auto a = m.Array<int>({1, 2});
  EXPECT_EQ(a.get(1), 2);
  EXPECT_EQ(m.Array<double>(3).size(), 3u);
  auto lock = m.Lock();
  { std::lock_guard guard(lock); EXPECT_TRUE(lock.locked()); }
  auto rlock = m.RLock();
  { std::scoped_lock guard(rlock, v.get_lock()); }
  auto s = m.BoundedSemaphore(2);
  EXPECT_EQ(s.get_value(), 2u);
  EXPECT_EQ(m.Semaphore(0).get_value(), 0u);
  auto e = m.Event();
  e.set();
  EXPECT_TRUE(e.wait(1ms));
  auto c = m.Condition();
  { std::unique_lock guard(c); EXPECT_FALSE(c.wait(1ms)); }
  EXPECT_EQ(m.Barrier(1).wait(), 0u);
}

class ManagerHammer : public ::testing::TestWithParam<int> {};

TEST_P(ManagerHammer, DictUpdatesAreExact) {
  const int n = GetParam(), each = 10000 / n;
  csp::Manager m;
  auto d = m.dict<int, int>();
  hammer(n, [=](int id) {
    for (int i = 0; i < each; ++i) d.update((id + i) % 5, [](int& v) { ++v; });
  });
  int total = 0;
  for (auto& [k, v] : d.items()) total += v;
  EXPECT_EQ(total, n * each);
  EXPECT_EQ(d.size(), 5u);
}

TEST_P(ManagerHammer, ListAppendsAreAllKept) {
  const int n = GetParam(), each = 5000 / n;
  csp::Manager m;
  auto l = m.list<int>();
  hammer(n, [=](int id) {
    for (int i = 0; i < each; ++i) l.append(id * each + i);
  });
  auto s = l.snapshot();
  std::ranges::sort(s);
  std::vector<int> expected(static_cast<std::size_t>(n * each));
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(s, expected);
}

TEST_P(ManagerHammer, NamespaceUpdatesAreExact) {
  const int n = GetParam(), each = 5000 / n;
  csp::Manager m;
  auto ns = m.Namespace();
  ns.set("count", 0L);
  hammer(n, [=](int) {
    for (int i = 0; i < each; ++i) ns.update<long>("count", [](long& c) { ++c; });
  });
  EXPECT_EQ(ns.get<long>("count"), n * each);
}

INSTANTIATE_TEST_SUITE_P(Processes, ManagerHammer, csp_test::process_counts);

}  // namespace
