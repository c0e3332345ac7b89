#include <csp/csp.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>

#include "hammer.hpp"

using namespace std::chrono_literals;
using csp_test::expect_error;
using csp_test::hammer;

namespace {

TEST(Lock, LockGuardAndTryLock) {
  csp::Lock lock;
  {
    std::lock_guard guard(lock);
    EXPECT_TRUE(lock.locked());
  }
  EXPECT_FALSE(lock.locked());
  EXPECT_TRUE(lock.try_lock());
  lock.unlock();
}

TEST(Lock, HeldByAnotherProcess) {
  csp::Lock lock;
  lock.lock();
  bool got = true, timed = true;
  csp::Parallel(csp::Process<>{[&] {
    got = lock.try_lock();
    timed = lock.acquire(20ms);
  }});
  EXPECT_FALSE(got);
  EXPECT_FALSE(timed);
  lock.unlock();
}

TEST(Lock, WaitingAcquirerGetsItOnRelease) {
  csp::Lock lock;
  csp::Value<int> step(0);
  lock.lock();
  csp::Process<> waiter{[&] {
    std::unique_lock guard(lock);
    step.set(2);
  }};
  waiter.start();
  EXPECT_FALSE(waiter.join(20ms));
  step.set(1);
  lock.unlock();
  waiter.join();
  EXPECT_EQ(step.get(), 2);
}

TEST(Lock, TerminatedWaiterIsNeverGrantedIt) {
  csp::Lock lock;
  lock.lock();
  csp::Process<> waiter{[lock] { lock.lock(); }};
  waiter.start();
  EXPECT_FALSE(waiter.join(10ms));
  waiter.terminate();
  waiter.join();
  EXPECT_EQ(waiter.exitcode(), -15);
  lock.unlock();
  EXPECT_TRUE(lock.try_lock());  // not handed to the process that left
  lock.unlock();
}

TEST(Lock, GuardReleasesWhileATerminatedProcessUnwinds) {
  csp::Lock lock;
  csp::Event never, holding;
  csp::Process<> holder{[=] {
    std::lock_guard guard(lock);
    holding.set();
    never.wait();  // fails once terminated; the guard releases without waiting for an answer
  }};
  holder.start();
  holding.wait();
  EXPECT_TRUE(lock.locked());
  holder.terminate();
  holder.join();
  EXPECT_TRUE(lock.acquire(1s));
  lock.unlock();
}

TEST(Lock, UniqueLockWithTimeout) {
  csp::Lock lock;
  std::unique_lock guard(lock, 50ms);
  EXPECT_TRUE(guard.owns_lock());
}

TEST(Lock, AcquiringTwiceIsAnError) {
  csp::Lock lock;
  lock.lock();
  expect_error([&] { lock.lock(); }, {lock.name(), "again"});
  lock.unlock();
}

TEST(Lock, ReleasingUnheldIsAnErrorAndOwnerKeepsServing) {
  csp::Lock lock;
  expect_error([&] { lock.unlock(); }, {lock.name(), "not held"});
  lock.lock();
  csp::Parallel(csp::Process<>{[&] { expect_error([&] { lock.release(); }, {"does not hold"}); }});
  EXPECT_TRUE(lock.locked());
  lock.unlock();
}

TEST(RLock, Reentrant) {
  csp::RLock lock;
  lock.lock();
  lock.lock();
  lock.unlock();
  bool other = true;
  csp::Parallel(csp::Process<>{[&] { other = lock.try_lock(); }});
  EXPECT_FALSE(other);
  lock.unlock();
  csp::Parallel(csp::Process<>{[&] {
    other = lock.try_lock();
    lock.unlock();
  }});
  EXPECT_TRUE(other);
  expect_error([&] { lock.unlock(); }, {"not held"});
}

TEST(Lock, AbandonedByFailedHolderIsFreedAndNextAcquirerTold) {
  csp::Lock lock;
  csp::Process<> worker{[&] {
    lock.lock();
    throw std::runtime_error("worker failed");
  }};
  const std::string name = worker.name();
  EXPECT_THROW(csp::Parallel(std::move(worker)), std::runtime_error);
  EXPECT_FALSE(lock.locked());
  expect_error([&] { lock.lock(); }, {lock.name(), "abandoned", name});
  lock.lock();  // told once, then the lock works as before
  lock.unlock();
}

class LockHammer : public ::testing::TestWithParam<int> {};

// The critical section parks in the middle, so without mutual exclusion the unprotected
// counter would lose increments.
template <class L>
void hammer_counter(int n) {
  const int each = 1000 / n;
  L lock;
  csp::Event never;
  int counter = 0;
  hammer(n, [&](int) {
    for (int i = 0; i < each; ++i) {
      std::lock_guard guard(lock);
      int c = counter;
      csp_test::pause(never);
      counter = c + 1;
    }
  });
  EXPECT_EQ(counter, n * each);
}

TEST_P(LockHammer, LockExcludes) { hammer_counter<csp::Lock>(GetParam()); }
TEST_P(LockHammer, RLockExcludes) { hammer_counter<csp::RLock>(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Processes, LockHammer, csp_test::process_counts);

}  // namespace
