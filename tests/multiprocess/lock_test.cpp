// Lock and RLock handles passed to real child processes: mutual exclusion with the parent, each
// process of each child a holder of its own, and a lock freed when its holder's child goes.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <csp/csp.hpp>

#include "helpers.hpp"

using namespace std::chrono_literals;

namespace {

std::string yes_no(bool b) { return b ? "yes" : "no"; }

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Adds 1 to `count` `times` times, under `lock`.
const auto increment = [](csp::Lock lock, csp::Value<int> count, int times) {
  for (int i = 0; i < times; ++i) {
    std::lock_guard guard(lock);
    int seen = count.get();
    std::this_thread::yield();  // another holder would step in here
    count.set(seen + 1);
  }
};
auto Increment = csp::multiprocess(increment);
auto IncrementHere = csp::process(increment);

TEST(LockAcrossProcesses, ExcludesTheParentAndTwoChildren) {
  csp::Lock lock;
  csp::Value<int> count(0);
  csp::Parallel(Increment(lock, count, 200), Increment(lock, count, 200), IncrementHere(lock, count, 200));
  EXPECT_EQ(count.get(), 600);
  EXPECT_FALSE(lock.locked());
}

// Takes the RLock twice, tells the parent, and gives up one level once told to.
auto Reenter = csp::multiprocess([](csp::RLock r, csp::ChannelEndWrite<int> held, csp::ChannelEndRead<int> go) {
  std::vector<std::string> seen;
  r.acquire();
  {
    std::unique_lock again(r);
    seen.push_back(yes_no(again.owns_lock() && r.locked()));
  }
  held(1);
  go();
  r.release();
  seen.push_back(attempt([&] {
    r.release();
    return std::string("released a third time");
  }));
  return seen;
});

TEST(LockAcrossProcesses, RLockReentersInAChild) {
  csp::RLock r;
  csp::Channel<int> held, go;
  auto child = Reenter(r, held.writer(), go.reader());
  child.start();
  held.reader()();
  EXPECT_FALSE(r.acquire(false));  // one level is still the child's
  go.writer()(1);
  ASSERT_TRUE(child.join(30s));
  std::vector<std::string> seen = child.result();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], "yes");
  EXPECT_TRUE(contains(seen[1], "'" + r.name() + "' released while not held")) << seen[1];
  EXPECT_TRUE(r.acquire(false));
  r.release();
}

auto ReleaseOthers = csp::multiprocess([](csp::Lock lock) {
  return std::vector<std::string>{
      yes_no(lock.locked()), yes_no(lock.try_lock()), attempt([&] {
        lock.release();
        return std::string("released");
      }),
      attempt([&] { return yes_no(lock.acquire(10ms)); })};
});

TEST(LockAcrossProcesses, ReleaseByAChildNotHoldingItFails) {
  csp::Lock lock;
  std::lock_guard guard(lock);
  auto [seen] = csp::Parallel(ReleaseOthers(lock));
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0], "yes");
  EXPECT_EQ(seen[1], "no");
  EXPECT_TRUE(contains(seen[2], "'" + lock.name() + "' released by a process that does not hold it")) << seen[2];
  EXPECT_EQ(seen[3], "no");
  EXPECT_TRUE(lock.locked());
}

// Two processes of one child: the first holds the RLock while the second tries it.
auto HoldFirst = csp::process([](csp::RLock r, csp::ChannelEndWrite<int> held, csp::ChannelEndRead<int> tried) {
  r.acquire();
  held(1);
  tried();
  r.release();
  held(2);
});
auto TryWhileHeld = csp::process([](csp::RLock r, csp::ChannelEndRead<int> held, csp::ChannelEndWrite<int> tried) {
  std::vector<std::string> seen;
  held();
  seen.push_back(yes_no(r.acquire(false)));
  seen.push_back(attempt([&] {
    r.release();
    return std::string("released");
  }));
  tried(1);
  held();
  seen.push_back(yes_no(r.acquire(30s)));
  r.release();
  return seen;
});
auto TwoHolders = csp::multiprocess([](csp::RLock r) {
  csp::Channel<int> held, tried;
  return std::get<1>(
      csp::Parallel(HoldFirst(r, held.writer(), tried.reader()), TryWhileHeld(r, held.reader(), tried.writer())));
});

TEST(LockAcrossProcesses, ProcessesOfOneChildAreDistinctHolders) {
  csp::RLock r;
  auto [seen] = csp::Parallel(TwoHolders(r));
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], "no");
  EXPECT_TRUE(contains(seen[1], "released by a process that does not hold it")) << seen[1];
  EXPECT_EQ(seen[2], "yes");
  EXPECT_FALSE(r.locked());
}

auto HoldAndWait = csp::multiprocess([](csp::Lock lock, csp::ChannelEndWrite<int> held) {
  lock.acquire();
  held(1);
  std::this_thread::sleep_for(60s);
});
auto HoldAndReturn = csp::multiprocess([](csp::Lock lock) { lock.acquire(); });

// The next acquire after the holder of `lock` went: an error naming the lock and saying `how`,
// then the lock.
void expect_abandoned(const csp::Lock& lock, const std::string& how = "went away") {
  try {
    bool acquired = lock.acquire(30s);
    ADD_FAILURE() << (acquired ? "acquired with no error" : "still held after 30 s");
  } catch (const csp::Error& e) {
    EXPECT_TRUE(contains(e.what(), "'" + lock.name() + "' was abandoned")) << e.what();
    EXPECT_TRUE(contains(e.what(), how)) << e.what();
  }
  EXPECT_TRUE(lock.acquire(30s));
  lock.release();
}

TEST(LockAcrossProcesses, ChildKilledHoldingTheLockFreesIt) {
  csp::Lock lock;
  csp::Channel<int> held;
  auto child = HoldAndWait(lock, held.writer());
  child.start();
  held.reader()();
  ASSERT_EQ(::kill(*child.pid(), SIGKILL), 0);
  expect_abandoned(lock);
  child.join();
  EXPECT_EQ(child.exitcode(), -SIGKILL);
}

// In a child: says on `asking` that it is about to acquire `lock`, and holds it once it has.
auto AcquireWhenAsked = csp::multiprocess([](csp::Lock lock, csp::Value<int> asking) {
  asking.set(1);
  lock.acquire();
  std::this_thread::sleep_for(60s);
});

TEST(LockAcrossProcesses, ChildKilledAsItIsGrantedTheLockNeverHeldIt) {
  csp::Lock lock;
  lock.acquire();
  csp::Value<int> asking(0);
  auto child = AcquireWhenAsked(lock, asking);
  child.start();
  while (asking.get() == 0) ASSERT_FALSE(child.join(1ms));
  std::this_thread::sleep_for(50ms);  // its acquire waits by then, mostly
  pid_t pid = *child.pid();
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  siginfo_t info{};  // until it is stopped (not reaping it)
  ::waitid(P_PID, static_cast<id_t>(pid), &info, WSTOPPED | WEXITED | WNOWAIT);
  lock.release();  // granted to the stopped child, whose code never sees it
  for (int i = 0; i < 200 && !lock.locked(); ++i) std::this_thread::sleep_for(100us);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  ASSERT_TRUE(child.join(30s));
  EXPECT_EQ(child.exitcode(), -SIGKILL);
  // The grant goes back when the child's connection ends: the lock is free, and nobody is told
  // it was abandoned, since no code of the child ever held it.
  EXPECT_EQ(attempt([&] { return yes_no(lock.acquire(30s)); }), "yes");
  lock.release();
}

TEST(LockAcrossProcesses, ChildEndingHoldingTheLockFreesIt) {
  csp::Lock lock;
  csp::Parallel(HoldAndReturn(lock));
  expect_abandoned(lock);
}

// One process of the child takes the lock and fails; the other keeps the child, and its
// connection, alive until the parent says so.
auto FailHolding = csp::process([](csp::Lock lock, csp::Event taken) {
  lock.acquire();
  taken.set();
  throw std::runtime_error("fails holding the lock");
});
auto AwaitParent = csp::process([](csp::Queue<int> go) { go.get(); });
auto FailHoldingWhileChildRuns = csp::multiprocess([](csp::Lock lock, csp::Event taken, csp::Queue<int> go) {
  csp::Parallel(FailHolding(lock, taken), AwaitParent(go));
});

TEST(LockAcrossProcesses, ProcessFailingHoldingTheLockFreesItWhileItsChildRuns) {
  csp::Lock lock;
  csp::Event taken;
  csp::Queue<int> go;
  auto child = FailHoldingWhileChildRuns(lock, taken, go);
  child.start();
  ASSERT_TRUE(taken.wait(30s));
  expect_abandoned(lock, "ended with an exception");
  EXPECT_TRUE(child.is_alive());  // freed by the failure, not by the child's exit
  go.put(1);
  child.join();
  EXPECT_NE(child.exitcode(), 0);
}

// A process of the child waits for the lock and is terminated; `then` runs in between. If it got
// the lock first, it waits again, holding it, until terminated.
auto WaitThenEnd = csp::process([](csp::Lock lock, csp::ChannelEndWrite<int> waiting) {
  waiting(0);
  std::lock_guard guard(lock);
  waiting(1);  // never read
});
template <class F>
void terminate_waiting_acquire(const csp::Lock& lock, F then) {
  terminate_while_waiting([&](csp::ChannelEndWrite<int> waiting) { return WaitThenEnd(lock, waiting); }, then);
}

// The parent releases only after the child has terminated its waiting process.
auto TerminateWaiting = csp::multiprocess([](csp::Lock lock, csp::Value<int> state, csp::Queue<int> go) {
  terminate_waiting_acquire(lock, [] { std::this_thread::sleep_for(50ms); });
  state.set(1);
  go.get();  // the child lives on, its connection too
  return yes_no(lock.locked());
});

// The parent releases about when the child terminates its waiting process.
auto TerminateAsReleased = csp::multiprocess([](csp::Lock lock, csp::Value<int> state) {
  terminate_waiting_acquire(lock, [&] {
    state.set(1);
    while (state.get() == 1) std::this_thread::sleep_for(1ms);
  });
  state.set(3);
});

TEST(LockAcrossProcesses, ProcessTerminatedWaitingForTheLockNeverHoldsIt) {
  csp::Lock lock;
  csp::Value<int> state(0);
  csp::Queue<int> go;
  lock.acquire();
  auto child = TerminateWaiting(lock, state, go);
  child.start();
  while (state.get() == 0 && !child.join(5ms)) {
  }
  lock.release();
  EXPECT_TRUE(lock.acquire(false));
  lock.release();
  go.put(1);
  ASSERT_TRUE(child.join(30s));
  EXPECT_EQ(child.result(), "no");
}

TEST(LockAcrossProcesses, ProcessTerminatedAsItIsGrantedGivesTheLockBack) {
  static int round = 0;  // with --gtest_repeat, releases a little later each round
  csp::Lock lock;
  csp::Value<int> state(0);
  lock.acquire();
  auto child = TerminateAsReleased(lock, state);
  child.start();
  while (state.get() == 0 && !child.join(5ms)) {
  }
  state.set(2);
  std::this_thread::sleep_for(std::chrono::microseconds(250 * (round++ % 4)));
  lock.release();
  ASSERT_TRUE(child.join(30s));
  EXPECT_EQ(state.get(), 3);
  EXPECT_TRUE(lock.acquire(30s));  // given back, if it was granted at all
  lock.release();
}

}  // namespace
