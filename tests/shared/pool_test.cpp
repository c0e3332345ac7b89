#include <csp/csp.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <numeric>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "hammer.hpp"

using namespace std::chrono_literals;
using csp_test::expect_error;

namespace {

TEST(Pool, MapSquares) {
  csp::Pool pool(4);
  std::vector<int> xs(10);
  std::iota(xs.begin(), xs.end(), 0);
  EXPECT_EQ(pool.map([](int x) { return x * x; }, xs),
            (std::vector<int>{0, 1, 4, 9, 16, 25, 36, 49, 64, 81}));
  pool.close();
  pool.join();
}

TEST(Pool, StarmapSpreadsEachTupleOverTheArguments) {
  csp::Pool pool(3);
  std::vector<std::tuple<int, std::string>> calls{{1, "a"}, {2, "b"}, {3, "c"}};
  EXPECT_EQ(pool.starmap([](int n, const std::string& s) { return std::string(static_cast<std::size_t>(n), s[0]); },
                         calls),
            (std::vector<std::string>{"a", "bb", "ccc"}));
  std::vector<std::pair<int, int>> pairs{{2, 3}, {4, 5}};
  EXPECT_EQ(pool.starmap([](int a, int b) { return a * b; }, pairs), (std::vector<int>{6, 20}));
}

TEST(Pool, ImapUnorderedGivesEachResultAsItsTaskEnds) {
  csp::Pool pool(2);
  csp::Event go;
  // Task 0 holds one worker until three results have been read; the other runs 1, 2, 3.
  auto results = pool.imap_unordered(
      [go](int x) {
        if (x == 0) go.wait();
        if (x == 3) throw std::runtime_error("three");
        return x * 10;
      },
      std::vector<int>{0, 1, 2, 3});
  auto it = results.begin();
  EXPECT_EQ(*it, 10);
  ++it;
  EXPECT_EQ(*it, 20);
  ++it;
  EXPECT_THROW(*it, std::runtime_error);
  ++it;
  go.set();
  EXPECT_EQ(*it, 0);
  ++it;
  EXPECT_TRUE(it == results.end());

  int sum = 0;
  for (int r : pool.imap_unordered([](int x) { return x * x; }, std::vector<int>{1, 2, 3, 4})) sum += r;
  EXPECT_EQ(sum, 30);
  static_assert(std::ranges::input_range<csp::UnorderedResults<int>>);
}

TEST(Pool, ApplyAsyncAndApply) {
  csp::Pool pool(2);
  auto r = pool.apply_async([](int a, std::string b) { return b + std::to_string(a); }, 7, "x");
  EXPECT_EQ(r.get(), "x7");
  EXPECT_TRUE(r.ready());
  EXPECT_TRUE(r.successful());
  EXPECT_EQ(pool.apply([](int a) { return a + 1; }, 1), 2);
  auto v = pool.apply_async([] {});
  v.get();
}

TEST(Pool, TaskExceptionReachesGetAndWorkersSurvive) {
  csp::Pool pool(1);
  auto bad = pool.apply_async([]() -> int { throw std::runtime_error("task failed"); });
  EXPECT_THROW(bad.get(), std::runtime_error);
  EXPECT_FALSE(bad.successful());
  EXPECT_EQ(pool.apply([] { return 5; }), 5);
}

TEST(Pool, GetParksAProcessWhileTasksRun) {
  csp::Pool pool(2);
  csp::Event go;
  auto r = pool.apply_async([go] {
    go.wait();
    return 1;
  });
  EXPECT_FALSE(r.wait(10ms));
  int got = 0;
  csp::Parallel(csp::Process<>{[&] { got = r.get(); }}, csp::Process<>{[go] { go.set(); }});
  EXPECT_EQ(got, 1);
}

TEST(Pool, ClosedRefusesTasksAndJoinNeedsClose) {
  csp::Pool pool(2);
  expect_error([&] { pool.join(); }, {"before close"});
  auto r = pool.apply_async([] { return 3; });
  pool.close();
  expect_error([&] { pool.apply_async([] {}); }, {"closed Pool"});
  pool.join();
  EXPECT_EQ(r.get(), 3);  // queued before close: still run
}

class PoolHammer : public ::testing::TestWithParam<int> {};

TEST_P(PoolHammer, ManySubmittersGetExactResults) {
  const int n = GetParam(), each = 1000 / n;
  csp::Pool pool(4);
  csp::Value<long> total(0);
  csp_test::hammer(n, [&](int id) {
    std::vector<int> xs(static_cast<std::size_t>(each));
    std::iota(xs.begin(), xs.end(), id * each);
    long sum = 0;
    for (int y : pool.map([](int x) { return 2 * x; }, xs)) sum += y;
    total.update([sum](long& t) { t += sum; });
  });
  long m = n * each;
  EXPECT_EQ(total.get(), m * (m - 1));
}

INSTANTIATE_TEST_SUITE_P(Processes, PoolHammer, csp_test::process_counts);

}  // namespace
