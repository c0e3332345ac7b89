// Deadlock detection: a network where nothing can wake anyone ends Parallel with
// csp::Deadlock naming the blocked processes; pending timers and thread processes are not
// deadlocks.

#include <gtest/gtest.h>

#include <chrono>
#include <csp/csp.hpp>
#include <string>
#include <thread>

using namespace std::chrono_literals;

namespace {

const auto Forward = csp::process([](csp::ChannelEndRead<int> in, csp::ChannelEndWrite<int> out) {
  out(in());
});

std::string deadlock_message(auto&& run) {
  try {
    run();
  } catch (const csp::Deadlock& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Deadlock, TwoProcessesWaitingOnEachOtherNameBothChannels) {
  csp::Channel<int> a("deadlock-a"), b("deadlock-b");
  std::string what = deadlock_message([&] {
    csp::Parallel(Forward(+a, -b).name("left"), Forward(+b, -a).name("right"));
  });
  ASSERT_FALSE(what.empty()) << "Parallel returned instead of throwing csp::Deadlock";
  EXPECT_NE(what.find("process 'left' waits on a read from channel 'deadlock-a'"), std::string::npos)
      << what;
  EXPECT_NE(what.find("process 'right' waits on a read from channel 'deadlock-b'"), std::string::npos)
      << what;
}

TEST(Deadlock, MessageIsTheNetworkDumpWithItsChannels) {
  csp::Channel<int> a("dump-a"), b("dump-b");
  auto Done = csp::process("done", [] {});
  std::string what = deadlock_message([&] {
    csp::Parallel(Forward(+a, -b).name("left"), Forward(+b, -a).name("right"), Done());
  });
  EXPECT_NE(what.find("3 processes and 2 channels:"), std::string::npos) << what;
  EXPECT_NE(what.find("process 'done' has ended (exit code 0)"), std::string::npos) << what;
  EXPECT_NE(what.find("channel 'dump-a': 1 reader and 1 writer joined, 1 reader and 0 writers waiting"),
            std::string::npos)
      << what;
}

TEST(Deadlock, NestedParallelIsReportedToTheOuterCaller) {
  csp::Channel<int> a, b;
  auto Outer = csp::process([&] { csp::Parallel(Forward(+a, -b), Forward(+b, -a)); });
  std::string what = deadlock_message([&] { csp::Parallel(Outer()); });
  EXPECT_NE(what.find("waits on a read from channel"), std::string::npos) << what;
  EXPECT_NE(what.find("the end of a process"), std::string::npos) << what;
}

TEST(Deadlock, ProcessStuckInAlternationIsNamed) {
  csp::Channel<int> a("alt-a"), b("alt-b");
  auto Chooser = csp::process([](csp::ChannelEndRead<int> x, csp::ChannelEndRead<int> y) {
    csp::AltSelect(csp::InputGuard(x), csp::InputGuard(y));
  });
  std::string what = deadlock_message([&] { csp::Parallel(Chooser(+a, +b).name("chooser")); });
  EXPECT_NE(what.find("process 'chooser' waits on an alternation over 'alt-a' 'alt-b'"),
            std::string::npos)
      << what;
}

TEST(Deadlock, PendingTimeoutIsNotADeadlock) {
  csp::Channel<int> silent;
  auto Waiter = csp::process([](csp::ChannelEndRead<int> in) {
    return csp::PriSelect(csp::InputGuard(in), csp::TimeoutGuard(100ms)).index();
  });
  auto [chosen] = csp::Parallel(Waiter(+silent));
  EXPECT_EQ(chosen, 1u);
}

TEST(Deadlock, SleepingThreadProcessIsNotADeadlock) {
  csp::Channel<int> c;
  auto Late = csp::thread_process([](csp::ChannelEndWrite<int> out) {
    std::this_thread::sleep_for(100ms);
    out(42);
  });
  auto Reader = csp::process([](csp::ChannelEndRead<int> in) { return in(); });
  auto [done, got] = csp::Parallel(Late(-c), Reader(+c));
  EXPECT_EQ(got, 42);
}

TEST(Deadlock, RuntimeKeepsWorkingAfterADeadlock) {
  csp::Channel<int> a, b;
  EXPECT_THROW(csp::Parallel(Forward(+a, -b), Forward(+b, -a)), csp::Deadlock);
  auto Square = csp::process([](int x) { return x * x; });
  auto [r] = csp::Parallel(Square(7));
  EXPECT_EQ(r, 49);
}
