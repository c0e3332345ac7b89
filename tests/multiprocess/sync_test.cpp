// Event, Semaphore, BoundedSemaphore, Barrier, Condition, Array handles and Pipe ends passed to
// multiprocess children as arguments: every request of a child goes back to the parent's object.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <iostream>
#include <mutex>
#include <numeric>
#include <random>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <csp/csp.hpp>

#include "helpers.hpp"

namespace {

using namespace std::chrono_literals;

// What a child's call did: "ok", or which kind of error it threw and its message.
template <class F>
std::string outcome(F f) {
  try {
    f();
    return "ok";
  } catch (const csp::BrokenBarrierError& e) {
    return std::string("broken: ") + e.what();
  } catch (const csp::Error& e) {
    return std::string("error: ") + e.what();
  }
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

auto WaitForGo = csp::multiprocess([](csp::Event ready, csp::Event go) {
  ready.set();
  go.wait();
  return go.is_set();
});

TEST(MultiprocessEvent, ChildWaitsForTheParent) {
  csp::Event ready, go;
  auto child = WaitForGo(ready, go);
  child.start();
  ASSERT_TRUE(ready.wait(30s));
  go.set();
  ASSERT_TRUE(child.join(30s));
  EXPECT_EQ(child.exitcode(), 0);
  EXPECT_TRUE(child.result());
}

auto SetAfterClear = csp::multiprocess([](csp::Event e) {
  e.clear();
  bool was_set = e.is_set();
  e.set();
  return was_set;
});

TEST(MultiprocessEvent, ParentWaitsForTheChild) {
  csp::Event e;
  e.set();  // the child clears it first
  auto child = SetAfterClear(e);
  child.start();
  ASSERT_TRUE(child.join(30s));
  EXPECT_FALSE(child.result());
  EXPECT_TRUE(e.wait(30s));
  EXPECT_TRUE(e.is_set());
}

// Each pass takes the semaphore, then reads and writes `inside` and `total` in several requests:
// without mutual exclusion another party's requests would come between them.
int exclusive_passes(csp::Semaphore s, csp::Value<int> inside, csp::Value<int> total, int passes) {
  int overlaps = 0;
  for (int i = 0; i < passes; ++i) {
    std::lock_guard guard(s);
    int before = inside.get();
    inside.set(before + 1);
    total.set(total.get() + 1);
    int now = inside.get();
    inside.set(now - 1);
    overlaps += before != 0 || now != 1;
  }
  return overlaps;
}

auto Exclusive = csp::multiprocess([](csp::Semaphore s, csp::Value<int> inside, csp::Value<int> total, int passes) {
  return exclusive_passes(s, inside, total, passes);
});
auto ExclusiveHere = csp::process(exclusive_passes);

TEST(MultiprocessSemaphore, MutualExclusionWithTheParent) {
  csp::Semaphore s(1);
  csp::Value<int> inside(0), total(0);
  constexpr int passes = 200;
  auto [a, b, here] =
      csp::Parallel(Exclusive(s, inside, total, passes), Exclusive(s, inside, total, passes),
                    ExclusiveHere(s, inside, total, passes));
  EXPECT_EQ(a + b + here, 0);
  EXPECT_EQ(total.get(), 3 * passes);
  EXPECT_EQ(s.get_value(), 1u);
}

auto CountDown = csp::multiprocess([](csp::Semaphore s) {
  std::vector<unsigned> seen;
  seen.push_back(s.acquire(false));  // none free
  s.release(3);
  seen.push_back(s.get_value());
  seen.push_back(s.acquire(false));
  seen.push_back(s.acquire());
  seen.push_back(s.get_value());
  return seen;
});

TEST(MultiprocessSemaphore, ChildAcquiresAndReleases) {
  csp::Semaphore s(0);
  auto [seen] = csp::Parallel(CountDown(s));
  EXPECT_EQ(seen, (std::vector<unsigned>{0, 3, 1, 1, 1}));
  EXPECT_EQ(s.get_value(), 1u);
}

auto OverRelease = csp::multiprocess([](csp::BoundedSemaphore b) {
  std::vector<std::string> seen;
  seen.push_back(outcome([&] { b.release(); }));  // at its start value already
  seen.push_back(outcome([&] { b.acquire(); }));
  seen.push_back(outcome([&] { b.release(); }));
  seen.push_back(outcome([&] { b.release(2); }));
  return seen;
});

TEST(MultiprocessSemaphore, BoundedOverReleaseIsAnErrorInTheChild) {
  csp::BoundedSemaphore b(1);
  auto [seen] = csp::Parallel(OverRelease(b));
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_TRUE(contains(seen[0], "error: ") && contains(seen[0], "released more times than acquired")) << seen[0];
  EXPECT_EQ(seen[1], "ok");
  EXPECT_EQ(seen[2], "ok");
  EXPECT_TRUE(contains(seen[3], "error: ")) << seen[3];
  EXPECT_EQ(b.get_value(), 1u);
}

auto AcquireForever = csp::multiprocess([](csp::Semaphore s, csp::Event waiting) {
  waiting.set();
  s.acquire();
});

TEST(MultiprocessSemaphore, ChildKilledWhileAcquiringTakesNoUnit) {
  csp::Semaphore s(0);
  csp::Event waiting;
  auto child = AcquireForever(s, waiting);
  child.start();
  ASSERT_TRUE(waiting.wait(30s));
  std::this_thread::sleep_for(50ms);  // its acquire waits by then, mostly
  ASSERT_EQ(::kill(*child.pid(), SIGKILL), 0);
  ASSERT_TRUE(child.join(30s));
  EXPECT_EQ(child.exitcode(), -SIGKILL);
  // The unit released goes to the dead child's request if the owner has not seen it gone yet,
  // and then comes back: either way exactly one unit is left.
  s.release();
  ASSERT_TRUE(s.acquire(30s));
  EXPECT_FALSE(s.acquire(false));
  s.release();
  EXPECT_EQ(s.get_value(), 1u);
}

// In a child: a process that holds the semaphore and waits on `never` (in the parent).
auto HoldAndWait = csp::process([](csp::Semaphore s, csp::Event never, csp::ChannelEndWrite<int> holding) {
  std::lock_guard guard(s);
  holding(0);
  never.wait();
});

// A child's releases that cannot wait for their answers (while an exception unwinds, in a
// process terminated) still cross.
auto ReleaseWithoutWaiting = csp::multiprocess([](csp::Semaphore s, csp::Event never) {
  try {
    std::lock_guard guard(s);
    throw std::runtime_error("leaving");
  } catch (const std::runtime_error&) {
  }
  std::vector<unsigned> seen{s.get_value()};
  csp::Channel<int> holding;
  auto holder = HoldAndWait(s, never, holding.writer());
  holder.start();
  holding.reader()();
  seen.push_back(s.get_value());
  holder.terminate();
  holder.join();
  seen.push_back(s.get_value());
  return seen;
});

TEST(MultiprocessSemaphore, ReleaseWhileUnwindingOrTerminatedCrosses) {
  csp::Semaphore s(1);
  csp::Event never;
  auto [seen] = csp::Parallel(ReleaseWithoutWaiting(s, never));
  EXPECT_EQ(seen, (std::vector<unsigned>{1, 0, 1}));
  EXPECT_EQ(s.get_value(), 1u);
}

auto WaitAtBarrier = csp::multiprocess([](csp::Barrier b) {
  std::size_t index = b.wait();
  return std::vector<std::size_t>{index, b.parties()};
});
auto WaitHere = csp::process([](csp::Barrier b) { return b.wait(); });

TEST(MultiprocessBarrier, ReleasesTheParentAndTwoChildren) {
  csp::Barrier b(3);
  auto [one, two, here] = csp::Parallel(WaitAtBarrier(b), WaitAtBarrier(b), WaitHere(b));
  ASSERT_EQ(one.size(), 2u);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(one[1], 3u);
  EXPECT_EQ(two[1], 3u);
  EXPECT_EQ((std::set<std::size_t>{one[0], two[0], here}), (std::set<std::size_t>{0, 1, 2}));
  EXPECT_EQ(b.n_waiting(), 0u);
  EXPECT_FALSE(b.broken());
}

auto WaitUntilBroken = csp::multiprocess([](csp::Barrier b) {
  std::vector<std::string> seen;
  seen.push_back(outcome([&] { b.wait(); }));
  seen.push_back(b.broken() ? "broken" : "whole");
  seen.push_back(outcome([&] { b.wait(); }));  // still broken
  b.reset();
  seen.push_back(b.broken() ? "broken" : "whole");
  return seen;
});
auto AbortOnceOneWaits = csp::multiprocess([](csp::Barrier b) {
  while (b.n_waiting() == 0) std::this_thread::sleep_for(5ms);
  b.abort();
});

TEST(MultiprocessBarrier, AbortInOneChildBreaksTheOther) {
  csp::Barrier b(3);
  auto [seen, aborted] = csp::Parallel(WaitUntilBroken(b), AbortOnceOneWaits(b));
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_TRUE(contains(seen[0], "broken: ")) << seen[0];
  EXPECT_EQ(seen[1], "broken");
  EXPECT_TRUE(contains(seen[2], "broken: ")) << seen[2];
  EXPECT_EQ(seen[3], "whole");
  EXPECT_FALSE(b.broken());
}

TEST(MultiprocessBarrier, AbortInTheParentBreaksTheChild) {
  csp::Barrier b(2);
  auto child = WaitUntilBroken(b);
  child.start();
  while (b.n_waiting() == 0) ASSERT_FALSE(child.join(5ms)) << "the child ended first";
  b.abort();
  ASSERT_TRUE(child.join(30s));
  std::vector<std::string> seen = child.result();
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_TRUE(contains(seen[0], "broken: ")) << seen[0];
  EXPECT_EQ(seen[3], "whole");
}

auto FillSquares = csp::multiprocess([](csp::Array<long> a, std::size_t first) {
  for (std::size_t i = first; i < a.size(); i += 2) a.set(i, static_cast<long>(i * i));
  return a.get(first);
});

TEST(MultiprocessArray, WrittenByChildrenReadByTheParent) {
  csp::Array<long> a(10);
  auto [even, odd] = csp::Parallel(FillSquares(a, 0), FillSquares(a, 1));
  EXPECT_EQ(even, 0);
  EXPECT_EQ(odd, 1);
  std::vector<long> expected;
  for (long i = 0; i < 10; ++i) expected.push_back(i * i);
  EXPECT_EQ(a.snapshot(), expected);
}

auto ReadWords = csp::multiprocess([](csp::Array<std::string> a) {
  std::vector<std::string> seen = a.snapshot();
  seen.push_back(outcome([&] { a.get(a.size()); }));
  return seen;
});

TEST(MultiprocessArray, ChildSnapshotsAndIndexErrorsCross) {
  csp::Array<std::string> a{"one", "two"};
  auto [seen] = csp::Parallel(ReadWords(a));
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], "one");
  EXPECT_EQ(seen[1], "two");
  EXPECT_TRUE(contains(seen[2], "error: index 2 out of range")) << seen[2];
}

// The consumer: takes `n` items from `buffer`, waiting under the condition while it is empty,
// and tells the producer each time there is room.
auto Consume = csp::multiprocess([](csp::Condition c, csp::Value<std::vector<int>> buffer, int n) {
  std::vector<int> got;
  while (static_cast<int>(got.size()) < n) {
    std::unique_lock lock(c);
    c.wait_for([&] { return !buffer.get().empty(); });
    std::vector<int> items = buffer.get();
    buffer.set({});
    got.insert(got.end(), items.begin(), items.end());
    c.notify();
  }
  return got;
});

// The same consumer, in a child of a child: the handles it was lent, passed on.
auto ConsumeInAGrandchild = csp::multiprocess([](csp::Condition c, csp::Value<std::vector<int>> buffer, int n) {
  auto [got] = csp::Parallel(Consume(c, buffer, n));
  return got;
});

// Produces 100 items here, under the condition, for the consumer `consume` starts.
template <class Consumer>
void produce_for(const Consumer& consume) {
  csp::Condition c{csp::Lock()};
  csp::Value<std::vector<int>> buffer;
  constexpr int n = 100;
  auto consumer = consume(c, buffer, n);
  consumer.start();
  for (int i = 0; i < n; ++i) {
    std::unique_lock lock(c);
    // At most two items wait: the producer waits for the child's notify too.
    ASSERT_TRUE(c.wait_for([&] { return buffer.get().size() < 2; }, 30s)) << "item " << i;
    buffer.update([i](std::vector<int>& items) { items.push_back(i); });
    c.notify();
  }
  ASSERT_TRUE(consumer.join(30s));
  std::vector<int> expected(n);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(consumer.result(), expected);
  EXPECT_TRUE(buffer.get().empty());
}

TEST(MultiprocessCondition, ProducerHereConsumerInAChild) { produce_for(Consume); }

TEST(MultiprocessCondition, ProducerHereConsumerInAGrandchild) { produce_for(ConsumeInAGrandchild); }

// Says it waits (under the lock, so its wait is queued once the lock is free again), then waits
// for one notify; whether it came.
auto WaitOnce = csp::multiprocess([](csp::Condition c, csp::Event queued) {
  std::unique_lock lock(c);
  queued.set();
  return c.wait(30s);
});

// Whether the child that sets `said` waits on `c`: it has set it, and released the lock after
// its wait was queued.
bool waits_on(const csp::Condition& c, const csp::Event& said) {
  if (!said.wait(30s) || !c.acquire(30s)) return false;
  c.release();
  return true;
}

TEST(MultiprocessCondition, NotifyAllWakesWaitersInTwoChildren) {
  csp::Condition c;
  csp::Event one, two;
  auto first = WaitOnce(c, one);
  auto second = WaitOnce(c, two);
  first.start();
  second.start();
  ASSERT_TRUE(waits_on(c, one));
  ASSERT_TRUE(waits_on(c, two));
  {
    std::lock_guard lock(c);
    c.notify_all();
  }
  ASSERT_TRUE(first.join(30s));
  ASSERT_TRUE(second.join(30s));
  EXPECT_TRUE(first.result());
  EXPECT_TRUE(second.result());
}

// A wait that times out, holding the RLock at two levels: they are both held again.
auto WaitInVain = csp::multiprocess([](csp::Condition c, csp::Event held, csp::Event go, csp::Event once,
                                       csp::Event go_on) {
  c.acquire();
  c.acquire();
  bool notified = c.wait(20ms);
  held.set();
  go.wait();
  c.release();
  once.set();
  go_on.wait();
  c.release();
  return notified;
});

TEST(MultiprocessCondition, TimedWaitInAChildTimesOutHoldingTheLock) {
  csp::Condition c;
  csp::Event held, go, once, go_on;
  auto child = WaitInVain(c, held, go, once, go_on);
  child.start();
  ASSERT_TRUE(held.wait(30s));
  EXPECT_FALSE(c.acquire(false));
  go.set();
  ASSERT_TRUE(once.wait(30s));
  EXPECT_FALSE(c.acquire(false));
  go_on.set();
  ASSERT_TRUE(child.join(30s));
  EXPECT_FALSE(child.result());
  ASSERT_TRUE(c.acquire(false));
  c.release();
}

TEST(MultiprocessCondition, ChildKilledWhileWaitingTakesNoNotify) {
  csp::Condition c;
  csp::Event dead_queued, live_queued;
  auto dead = WaitOnce(c, dead_queued);
  dead.start();
  ASSERT_TRUE(waits_on(c, dead_queued));
  auto live = WaitOnce(c, live_queued);
  live.start();
  ASSERT_TRUE(waits_on(c, live_queued));
  ASSERT_EQ(::kill(*dead.pid(), SIGKILL), 0);
  ASSERT_TRUE(dead.join(30s));
  EXPECT_EQ(dead.exitcode(), -SIGKILL);
  // The dead child's wait comes first: it is dropped, or, if this notify reaches it before its
  // connection is seen gone, passes the notify on.
  {
    std::lock_guard lock(c);
    c.notify(1);
  }
  ASSERT_TRUE(live.join(30s));
  EXPECT_TRUE(live.result());
}

auto WaitUnlocked = csp::multiprocess([](csp::Condition c) {
  return std::vector<std::string>{attempt([&] { return std::to_string(c.wait(1ms)); }),
                                  attempt([&] { return std::to_string(c.wait(30s)); })};
});

TEST(MultiprocessCondition, WaitWithoutTheLockIsAnErrorInTheChild) {
  csp::Condition c;
  auto [seen] = csp::Parallel(WaitUnlocked(c));
  ASSERT_EQ(seen.size(), 2u);
  for (const std::string& s : seen)
    EXPECT_TRUE(contains(s, "error: ") && contains(s, "wait() by a process that does not hold")) << s;
  // Their waits were withdrawn: this notify has nobody to wake, and this wait nobody to wake it.
  std::lock_guard lock(c);
  c.notify();
  EXPECT_FALSE(c.wait(1ms));
}

// What a child's handles are called, and what its wait without the condition's lock says.
auto Names = csp::multiprocess([](csp::Lock l, csp::Condition c, csp::Queue<int> q, csp::Dict<std::string, int> d) {
  return std::vector<std::string>{l.name(), c.name(), q.name(), d.name(), attempt([&] {
                                    c.wait();
                                    return std::string("woken");
                                  })};
});

TEST(MultiprocessNames, ChildHandlesBearTheParentsNames) {
  // Objects made first, so that the parent's names are not those the child would make afresh.
  std::vector<csp::Event> others(5);
  csp::Lock l;
  csp::RLock r;
  csp::Condition c(r);
  csp::Queue<int> q;
  csp::Manager m;
  auto d = m.dict<std::string, int>();
  auto [seen] = csp::Parallel(Names(l, c, q, d));
  EXPECT_EQ(seen, (std::vector<std::string>{
                      l.name(), c.name(), q.name(), d.name(),
                      "error: '" + c.name() + "': wait() by a process that does not hold '" + r.name() + "'"}));
  EXPECT_TRUE(contains(r.name(), "RLock-")) << r.name();
}

// Waits with a timeout cross too; one that times out at a barrier breaks the parent's.
auto TimeOut = csp::multiprocess([](csp::Event e, csp::Semaphore s, csp::Barrier b) {
  // The barrier's abort is sent without waiting; broken() is answered after it.
  return std::vector<std::string>{e.wait(1ms) ? "set" : "not set", s.acquire(1ms) ? "acquired" : "not acquired",
                                  outcome([&] { b.wait(1ms); }), b.broken() ? "broken" : "whole"};
});

TEST(MultiprocessSync, TimedWaitsCross) {
  csp::Event e;
  csp::Semaphore s(0);
  csp::Barrier b(2);
  auto [seen] = csp::Parallel(TimeOut(e, s, b));
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0], "not set");
  EXPECT_EQ(seen[1], "not acquired");
  EXPECT_TRUE(contains(seen[2], "broken: ") && contains(seen[2], "timed out")) << seen[2];
  EXPECT_EQ(seen[3], "broken");
  EXPECT_TRUE(b.broken());
  EXPECT_EQ(s.get_value(), 0u);
}

// What does not cross is refused with a csp::Error that says so: update(fn).
auto Refused = csp::multiprocess([](csp::Array<int> a) {
  return outcome([&] { a.update([](std::span<int> v) { v[0] = 1; }); });
});

TEST(MultiprocessSync, WhatDoesNotCrossIsRefused) {
  csp::Array<int> a(1);
  auto [seen] = csp::Parallel(Refused(a));
  EXPECT_TRUE(contains(seen, "error: ") && contains(seen, "do not cross")) << seen;
  EXPECT_EQ(a.get(0), 0);
}

// Python's `with v.get_lock(): v.value += 1`, `times` over, for the value and the array's
// first element: the name of the value's lock here.
auto IncrementUnderLocks = csp::multiprocess([](csp::Value<int> v, csp::Array<int> a, int times) {
  for (int i = 0; i < times; ++i) {
    {
      std::lock_guard hold(v.get_lock());
      v.set(v.get() + 1);
    }
    std::lock_guard hold(a.get_lock());
    a.set(0, a.get(0) + 1);
  }
  return v.get_lock().name();
});

TEST(MultiprocessSync, GetLockMakesReadModifyWriteAtomicAcrossProcesses) {
  constexpr int times = 300;
  csp::Value<int> v(0);
  csp::Array<int> a(2);
  auto [one, two] = csp::Parallel(IncrementUnderLocks(v, a, times), IncrementUnderLocks(v, a, times));
  EXPECT_EQ(v.get(), 2 * times);  // none lost between a get and its set
  EXPECT_EQ(a.get(0), 2 * times);
  EXPECT_EQ(one, v.get_lock().name());
  EXPECT_EQ(two, v.get_lock().name());
}

// A reading a child sends over a pipe.
struct Reading {
  int seq = 0;
  std::string sensor;
  std::vector<double> values;
};
CSP_MESSAGE_TYPE(Reading);

// Python's Pipe pattern: sends `n` readings, receives one, sends it back marked, and closes its
// end.
auto Report = csp::multiprocess([](csp::Connection<Reading> conn, int n) {
  for (int i = 0; i < n; ++i) conn.send({i, "child", {i * 0.5, -i * 0.5}});
  Reading r = conn.recv();
  r.sensor += " via the child";
  conn.send(r);
  conn.close();
  return r.seq;
});

TEST(MultiprocessPipe, DuplexBothWaysThenEndOfStream) {
  auto [parent_conn, child_conn] = csp::Pipe<Reading>();
  constexpr int n = 50;
  auto child = Report(child_conn, n);
  child.start();
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(parent_conn.poll(30s)) << "reading " << i;
    Reading r = parent_conn.recv();
    EXPECT_EQ(r.seq, i);
    EXPECT_EQ(r.sensor, "child");
    EXPECT_EQ(r.values, (std::vector<double>{i * 0.5, -i * 0.5}));
  }
  parent_conn.send({n, "parent", {1.5}});
  ASSERT_TRUE(child.join(30s));
  EXPECT_EQ(child.exitcode(), 0);
  EXPECT_EQ(child.result(), n);
  // The child's close() closed the end for the parent's copy too; what it sent before is still
  // received, then the stream has ended.
  ASSERT_TRUE(parent_conn.poll());
  Reading back = parent_conn.recv();
  EXPECT_EQ(back.sensor, "parent via the child");
  EXPECT_EQ(back.values, std::vector<double>{1.5});
  EXPECT_TRUE(parent_conn.poll());
  EXPECT_THROW(parent_conn.recv(), csp::EOFError);
  EXPECT_THROW(parent_conn.send({}), csp::Error);
  EXPECT_THROW(child_conn.poll(), csp::Error);
}

// The receive-only end of one one-way pipe and the send-only end of another: each refuses the
// other direction in the child; what comes in goes out, reversed.
auto Reverse = csp::multiprocess([](csp::Connection<std::vector<int>> in, csp::Connection<std::vector<int>> out) {
  auto sent = [](auto f) {
    return attempt([&] {
      f();
      return std::string("ok");
    });
  };
  std::vector<std::string> seen{std::to_string(in.readable()) + std::to_string(in.writable()),
                                std::to_string(out.readable()) + std::to_string(out.writable()),
                                sent([&] { in.send({1}); }), sent([&] { out.recv(); }), sent([&] { out.poll(); })};
  std::vector<int> items = in.recv();
  out.send({items.rbegin(), items.rend()});
  return seen;
});

TEST(MultiprocessPipe, OneWayEndsKeepTheirDirectionInTheChild) {
  auto [child_in, parent_out] = csp::Pipe<std::vector<int>>(false);
  auto [parent_in, child_out] = csp::Pipe<std::vector<int>>(false);
  parent_out.send({1, 2, 3});
  auto child = Reverse(child_in, child_out);
  child.start();
  ASSERT_TRUE(child.join(30s));
  std::vector<std::string> seen = child.result();
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[0], "10");
  EXPECT_EQ(seen[1], "01");
  EXPECT_TRUE(contains(seen[2], "error: '" + child_in.name() + "': send on a receive-only connection")) << seen[2];
  for (const std::string& s : {seen[3], seen[4]})
    EXPECT_TRUE(contains(s, "error: ") && contains(s, "receive on a send-only connection")) << s;
  ASSERT_TRUE(parent_in.poll(30s));
  EXPECT_EQ(parent_in.recv(), (std::vector<int>{3, 2, 1}));
}

// Polls with nothing sent, says so, then polls until the parent sends, and takes the item.
auto PollThenReceive = csp::multiprocess([](csp::Connection<int> conn) {
  std::vector<int> seen{conn.poll(), conn.poll(20ms)};
  conn.send(0);  // the parent sends once it has this
  seen.push_back(conn.poll(30s));
  seen.push_back(conn.recv());
  return seen;
});

TEST(MultiprocessPipe, TimedPollInTheChild) {
  auto [here, there] = csp::Pipe<int>();
  auto child = PollThenReceive(there);
  child.start();
  ASSERT_TRUE(here.poll(30s));
  EXPECT_EQ(here.recv(), 0);
  here.send(7);
  ASSERT_TRUE(child.join(30s));
  EXPECT_EQ(child.result(), (std::vector<int>{0, 0, 1, 7}));
  // The child's copies of its end went without closing it: the parent's copy still works.
  EXPECT_FALSE(here.poll());
  here.send(8);
  ASSERT_TRUE(there.poll(30s));
  EXPECT_EQ(there.recv(), 8);
}

auto SendThree = csp::multiprocess([](csp::Connection<int> conn) {
  for (int i = 0; i < 3; ++i) conn.send(i);
});

TEST(MultiprocessPipe, EndClosesOnceTheChildHasEndedWithNoCopyLeft) {
  auto [here, there] = csp::Pipe<int>();
  {
    auto child = SendThree(std::move(there));  // no copy is left here but the process's own
    child.start();
    ASSERT_TRUE(child.join(30s));
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(here.poll(30s));
      EXPECT_EQ(here.recv(), i);
    }
    EXPECT_FALSE(here.poll());
  }
  ASSERT_TRUE(here.poll(30s));
  EXPECT_THROW(here.recv(), csp::EOFError);
}

auto ReceiveForever = csp::multiprocess([](csp::Connection<int> conn) {
  conn.send(0);  // about to wait
  return conn.recv();
});

TEST(MultiprocessPipe, ChildKilledWhileReceivingLosesNothing) {
  auto [here, there] = csp::Pipe<int>();
  auto child = ReceiveForever(there);
  child.start();
  ASSERT_TRUE(here.poll(30s));
  EXPECT_EQ(here.recv(), 0);
  std::this_thread::sleep_for(50ms);  // its recv waits by then, mostly
  ASSERT_EQ(::kill(*child.pid(), SIGKILL), 0);
  siginfo_t info{};  // until it is dead, its connection closed (not reaping it)
  ::waitid(P_PID, static_cast<id_t>(*child.pid()), &info, WEXITED | WNOWAIT);
  // The dead child's recv takes this if the parent has not yet seen its connection end, and the
  // answer, finding the child gone, puts it back: either way the parent's copy receives it.
  here.send(5);
  ASSERT_TRUE(child.join(30s));
  EXPECT_EQ(child.exitcode(), -SIGKILL);
  ASSERT_TRUE(there.poll(30s));
  EXPECT_EQ(there.recv(), 5);
  there.send(6);
  ASSERT_TRUE(here.poll(30s));
  EXPECT_EQ(here.recv(), 6);
  EXPECT_FALSE(there.poll());
}

// In a child: takes items first, first + 1, ... in turn, saying on `asking` which one it asks for
// before it does; fails on any other.
template <class Take>
void take_in_turn(Take take, int first, const csp::Value<int>& asking) {
  for (int i = first;; ++i) {
    asking.set(i);
    if (take() != i) throw std::runtime_error("an item out of turn");
  }
}

auto GetInTurn = csp::multiprocess([](csp::Queue<int> q, int first, csp::Value<int> asking) {
  take_in_turn([&] { return q.get(); }, first, asking);
});

auto RecvInTurn = csp::multiprocess([](csp::Connection<int> conn, int first, csp::Value<int> asking) {
  take_in_turn([&] { return conn.recv(); }, first, asking);
});

// Rounds of a child (`start(first, asking)`) that takes the items `give(i)` offers in turn, one
// at a time, until it is stopped (SIGSTOP) at a random moment while it asks for one, given it
// while stopped, and killed: the answer to its request, written into its socket by then if the
// request had arrived, never reached code of the child. `back()` must find that item back where
// the child would have taken it from; `taken()` says whether the request had taken it meanwhile.
template <class Start, class Give, class Taken, class Back>
void kill_as_answered(Start start, Give give, Taken taken, Back back) {
  std::random_device seed;
  std::mt19937 random(seed());
  int next = 0;
  int answered = 0;  // rounds whose item was answered to the stopped child
  for (int round = 0; round < 20; ++round) {
    csp::Value<int> asking(-1);
    csp::Process<> child = start(next, asking);
    child.start();
    pid_t pid = *child.pid();
    int stop_at = next + std::uniform_int_distribution(0, 3)(random);
    for (;; ++next) {
      auto deadline = std::chrono::steady_clock::now() + 30s;
      while (asking.get() != next) {
        ASSERT_FALSE(child.join(std::chrono::microseconds(200))) << "round " << round << ": the child ended";
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "round " << round << ": the child stalled";
      }
      if (next == stop_at) break;
      give(next);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution(0, 1000)(random)));
    ASSERT_EQ(::kill(pid, SIGSTOP), 0);
    siginfo_t info{};  // until it is stopped (not reaping it)
    ::waitid(P_PID, static_cast<id_t>(pid), &info, WSTOPPED | WEXITED | WNOWAIT);
    give(next);
    auto settled = std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
    while (!taken() && std::chrono::steady_clock::now() < settled) std::this_thread::sleep_for(100us);
    answered += taken();
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    ASSERT_TRUE(child.join(30s));
    EXPECT_EQ(child.exitcode(), -SIGKILL);
    ASSERT_EQ(back(), std::optional<int>(next)) << "round " << round << ": item " << next << " is lost";
    ++next;
  }
  std::cout << answered << " of 20 items were answered to a stopped child\n";
}

TEST(MultiprocessQueue, ChildKilledAsItsGetIsAnsweredLosesNothing) {
  csp::Queue<int> q;
  kill_as_answered([&](int first, const csp::Value<int>& asking) { return GetInTurn(q, first, asking); },
                   [&](int i) { q.put(i); }, [&] { return q.empty(); }, [&] { return q.get(30s); });
  EXPECT_TRUE(q.empty());
}

// A worker of Python's JoinableQueue pattern: takes items up to a negative one, adds each to
// `sum`, and says that each task (the negative one's too) is done.
auto SumTasks = csp::multiprocess([](csp::Queue<int> q, csp::Value<int> sum) {
  for (int item = q.get();; item = q.get()) {
    if (item >= 0) {
      std::lock_guard hold(sum.get_lock());
      sum.set(sum.get() + item);
    }
    q.task_done();
    if (item < 0) return;
  }
});

TEST(MultiprocessQueue, JoinReturnsOnceChildrenHaveDoneEveryTask) {
  csp::Queue<int> q;
  csp::Value<int> sum(0);
  auto one = SumTasks(q, sum);
  auto two = SumTasks(q, sum);
  one.start();
  two.start();
  for (int i = 1; i <= 100; ++i) q.put(i);
  q.put(-1);
  q.put(-1);
  EXPECT_TRUE(q.join(30s));
  EXPECT_EQ(sum.get(), 5050);  // every task was done before join returned
  ASSERT_TRUE(one.join(30s));
  ASSERT_TRUE(two.join(30s));
  EXPECT_EQ(one.exitcode(), 0);
  EXPECT_EQ(two.exitcode(), 0);
}

TEST(MultiprocessPipe, ChildKilledAsItsRecvIsAnsweredLosesNothing) {
  auto [here, there] = csp::Pipe<int>();
  kill_as_answered([&](int first, const csp::Value<int>& asking) { return RecvInTurn(there, first, asking); },
                   [&](int i) { here.send(i); }, [&] { return !there.poll(); },
                   [&] { return there.poll(30s) ? std::optional<int>(there.recv()) : std::nullopt; });
  EXPECT_FALSE(there.poll());
}

}  // namespace
