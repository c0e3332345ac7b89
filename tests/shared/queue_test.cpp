#include <csp/csp.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <string>

#include "../framework/test_support.hpp"
#include "hammer.hpp"

using namespace std::chrono_literals;
using csp_test::expect_error;
using csp_test::hammer;

namespace {

TEST(Queue, FifoAndSizes) {
  csp::Queue<std::string> q;
  EXPECT_TRUE(q.empty());
  q.put("a");
  q.put("b");
  EXPECT_EQ(q.qsize(), 2u);
  EXPECT_FALSE(q.full());
  EXPECT_EQ(q.get(), "a");
  EXPECT_EQ(q.get(), "b");
  EXPECT_EQ(q.try_get(), std::nullopt);
  EXPECT_EQ(q.get(5ms), std::nullopt);
}

TEST(Queue, BoundedPutWaitsOrTimesOut) {
  csp::Queue<int> q(2);
  EXPECT_TRUE(q.try_put(1));
  q.put(2);
  EXPECT_TRUE(q.full());
  EXPECT_FALSE(q.try_put(3));
  EXPECT_FALSE(q.put(3, 5ms));
  csp::Process<> putter{[q] { q.put(4); }};
  putter.start();
  EXPECT_FALSE(putter.join(10ms));
  EXPECT_EQ(q.get(), 1);
  putter.join();
  EXPECT_EQ(q.get(), 2);
  EXPECT_EQ(q.get(), 4);  // the timed-out put of 3 left nothing behind
  EXPECT_TRUE(q.empty());
}

TEST(Queue, GetterWaitsForPut) {
  csp::Queue<int> q;
  csp::Process<int> getter{[q] { return q.get(); }};
  getter.start();
  EXPECT_FALSE(getter.join(10ms));
  q.put(42);
  getter.join();
  EXPECT_EQ(getter.result(), 42);
}

TEST(Queue, TimedOutGetterTakesNothing) {
  csp::Queue<int> q;
  EXPECT_EQ(q.get(1ms), std::nullopt);
  q.put(7);
  EXPECT_EQ(q.get(1s), 7);
}

TEST(Queue, ClosedRefusesPutsAndDrains) {
  csp::Queue<int> q;
  q.put(1);
  q.close();
  expect_error([&] { q.put(2); }, {q.name(), "closed"});
  EXPECT_EQ(q.get(), 1);
  expect_error([&] { q.get(); }, {q.name(), "closed and empty"});
}

TEST(Queue, CloseWakesWaitingGetter) {
  csp::Queue<int> q;
  csp::Process<> getter{[q] { expect_error([&] { q.get(); }, {"closed and empty"}); }};
  getter.start();
  EXPECT_FALSE(getter.join(10ms));
  q.close();
  getter.join();
}

TEST(Queue, TerminatedGetterDoesNotLoseItems) {
  csp::Queue<int> q;
  csp::Process<> getter{[q] { q.get(); }};
  getter.start();
  EXPECT_FALSE(getter.join(10ms));
  getter.terminate();
  getter.join();
  q.put(5);
  EXPECT_EQ(q.get(1s), 5);
}

TEST(Queue, JoinWaitsUntilEveryItemPutHasHadItsTaskDone) {
  csp::Queue<int> q;
  EXPECT_TRUE(q.join(1ms));  // nothing put
  for (int i = 0; i < 3; ++i) q.put(i);
  csp::Event gate;
  csp::Process<> worker{[q, gate] {
    for (int i = 0; i < 3; ++i) q.get();
    gate.wait();
    for (int i = 0; i < 3; ++i) q.task_done();
  }};
  worker.start();
  ASSERT_TRUE(csp_test::eventually([&] { return q.empty(); }, 30s));
  EXPECT_FALSE(q.join(10ms));  // every item got, none done
  gate.set();
  EXPECT_TRUE(q.join(30s));
  ASSERT_TRUE(worker.join(30s));
  expect_error([&] { q.task_done(); }, {q.name(), "task_done() called more times than items were put"});
  q.put(7);  // a task again
  EXPECT_FALSE(q.join(1ms));
}

class QueueHammer : public ::testing::TestWithParam<int> {};

TEST_P(QueueHammer, ProducersAndConsumersMoveEveryItemOnce) {
  const int n = GetParam(), each = 10000 / n;
  csp::Queue<int> q(8);
  csp::Array<int> got(static_cast<std::size_t>(n * each));
  hammer(2 * n, [&](int id) {
    if (id < n) {
      for (int i = 0; i < each; ++i) q.put(id * each + i);
    } else {
      for (int i = 0; i < each; ++i) {
        int v = q.get();
        got.update([v](std::span<int> s) { ++s[static_cast<std::size_t>(v)]; });
      }
    }
  });
  auto s = got.snapshot();
  EXPECT_TRUE(std::ranges::all_of(s, [](int x) { return x == 1; }));
  EXPECT_TRUE(q.empty());
}

INSTANTIATE_TEST_SUITE_P(Processes, QueueHammer, csp_test::process_counts);

TEST(Pipe, DuplexConversation) {
  auto [a, b] = csp::Pipe<std::string>();
  csp::Parallel(csp::Process<>{[a] {
                  a.send("ping");
                  EXPECT_EQ(a.recv(), "pong");
                }},
                csp::Process<>{[b] {
                  EXPECT_EQ(b.recv(), "ping");
                  b.send("pong");
                }});
}

TEST(Pipe, PollNeverBlocksAndPollWithTimeoutWaits) {
  auto [a, b] = csp::Pipe<int>();
  EXPECT_FALSE(b.poll());
  EXPECT_FALSE(b.poll(5ms));
  a.send(1);
  EXPECT_TRUE(b.poll());
  EXPECT_TRUE(b.poll(5ms));
  EXPECT_EQ(b.recv(), 1);
  csp::Process<bool> poller{[b] { return b.poll(10s); }};
  poller.start();
  EXPECT_FALSE(poller.join(10ms));
  a.send(2);
  poller.join();
  EXPECT_TRUE(poller.result());
  EXPECT_EQ(b.recv(), 2);
}

TEST(Pipe, OneWayEnds) {
  auto [r, w] = csp::Pipe<int>(false);
  EXPECT_TRUE(r.readable());
  EXPECT_FALSE(r.writable());
  expect_error([&] { r.send(1); }, {"receive-only"});
  expect_error([&] { w.recv(); }, {"send-only"});
  w.send(3);
  EXPECT_EQ(r.recv(), 3);
}

TEST(Pipe, CloseGivesEofAfterTheRest) {
  auto [a, b] = csp::Pipe<int>();
  a.send(1);
  a.close();
  EXPECT_EQ(b.recv(), 1);
  EXPECT_TRUE(b.poll());
  EXPECT_THROW(b.recv(), csp::EOFError);
  expect_error([&] { b.send(2); }, {"other end is closed"});
  expect_error([&] { a.recv(); }, {"closed connection"});
}

TEST(Pipe, DroppingTheLastCopyClosesTheEnd) {
  auto [r, w] = csp::Pipe<int>(false);
  {
    csp::Process<> writer{[w = std::move(w)] {
      for (int i = 0; i < 3; ++i) w.send(i);
    }};
    csp::Parallel(std::move(writer));
  }  // the process, and so the only copy of w, is gone
  int sum = 0;
  try {
    for (;;) sum += r.recv();
  } catch (const csp::EOFError&) {
  }
  EXPECT_EQ(sum, 3);
}

class PipeHammer : public ::testing::TestWithParam<int> {};

TEST_P(PipeHammer, ManySendersOneReceiver) {
  const int n = GetParam(), each = 5000 / n;
  auto [r, w] = csp::Pipe<int>(false);
  long total = 0;
  csp::Parallel(csp::Process<>{[w = w, n, each] {
                  hammer(n, [&](int id) {
                    for (int i = 0; i < each; ++i) w.send(id * each + i);
                  });
                }},
                csp::Process<>{[r = r, n, each, &total] {
                  for (int i = 0; i < n * each; ++i) total += r.recv();
                }});
  long m = n * each;
  EXPECT_EQ(total, m * (m - 1) / 2);
}

INSTANTIATE_TEST_SUITE_P(Processes, PipeHammer, csp_test::process_counts);

}  // namespace
