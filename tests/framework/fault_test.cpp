// Faults: a process throwing while its peer waits in a rendezvous, a thread process blocked in
// a system call during shutdown(), main exiting while spawned processes run (a real child
// program), and a runtime restarted after shutdown().

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const auto Failing = csp::process([](csp::ChannelEndRead<int>) { throw std::runtime_error("boom"); });

TEST(Fault, ThrowWhileAWriterWaitsReleasesItWithPoison) {
  csp::Channel<int> c;
  auto out = -c;
  auto writer = csp::Process<std::string>([out]() mutable {
    try {
      out(1);
    } catch (const csp::ChannelPoisonException&) {
      return std::string("poisoned");
    }
    return std::string("delivered");
  });
  writer.start();
  ASSERT_TRUE(csp_test::writers_waiting(out));
  auto failing = Failing(+c);
  EXPECT_THROW(csp::Parallel(std::move(failing)), std::runtime_error);
  ASSERT_TRUE(writer.join(10s));
  EXPECT_EQ(writer.result(), "poisoned");
}

TEST(Fault, ThrowWhileAnAlternationWaitsReleasesItWithPoison) {
  csp::Channel<int> a, b;
  auto in_a = +a;
  auto waiting = csp::Process<std::string>([in_a, in_b = +b]() mutable {
    try {
      csp::AltSelect(csp::InputGuard(in_a), csp::InputGuard(in_b));
    } catch (const csp::ChannelPoisonException&) {
      return std::string("poisoned");
    }
    return std::string("chosen");
  });
  waiting.start();
  ASSERT_TRUE(csp_test::readers_waiting(in_a));
  auto Thrower = csp::process([](csp::ChannelEndWrite<int>) { throw std::logic_error("mid-way"); });
  EXPECT_THROW(csp::Parallel(Thrower(-a)), std::logic_error);
  ASSERT_TRUE(waiting.join(10s));
  EXPECT_EQ(waiting.result(), "poisoned");
}

TEST(Fault, ThrowingGuardActionDeliversItsMessageThenFails) {
  // The action runs after the commit: the peer has the message, the chooser the exception.
  csp::Channel<int> c;
  auto Chooser = csp::process([](csp::ChannelEndWrite<int> out) {
    csp::AltSelect(csp::OutputGuard(out, 7, [] { throw std::runtime_error("action"); }));
  });
  auto Reader = csp::process([](csp::ChannelEndRead<int> in) {
    int first = in();
    try {
      in();
    } catch (const csp::ChannelPoisonException&) {
      return first;
    }
    return -1;
  });
  auto chooser = Chooser(-c);
  auto reader = Reader(+c);
  EXPECT_THROW(csp::Parallel(std::move(chooser), std::move(reader)), std::runtime_error);
  EXPECT_EQ(reader.result(), 7);
}

TEST(Fault, ThrowInOneOfManyReadersReleasesOnlyItsOwnChannels) {
  // Readers 0..9 each own a channel; reader 5 throws. Its writer is poisoned, the others finish.
  constexpr int n = 10;
  std::vector<csp::Channel<int>> cs(n);
  auto Writer = csp::process([](csp::ChannelEndWrite<int> out) {
    try {
      for (int i = 0; i < 100; ++i) out(i);
    } catch (const csp::ChannelPoisonException&) {
      return false;
    }
    return true;
  });
  auto Reader = csp::process([](csp::ChannelEndRead<int> in, bool fail) {
    for (int i = 0; i < 100; ++i) {
      if (fail && i == 50) throw std::runtime_error("reader");
      EXPECT_EQ(in(), i);
    }
  });
  std::vector<csp::Process<bool>> writers;
  std::vector<csp::Process<>> readers;
  for (int i = 0; i < n; ++i) {
    writers.push_back(Writer(-cs[i]));
    readers.push_back(Reader(+cs[i], i == 5));
  }
  auto wrun = csp::Process<std::vector<bool>>([&] { return csp::Parallel(writers); });
  wrun.start();
  EXPECT_THROW(csp::Parallel(readers), std::runtime_error);
  ASSERT_TRUE(wrun.join(10s));
  std::vector<bool> expected(n, true);
  expected[5] = false;
  EXPECT_EQ(wrun.result(), expected);
}

// A thread process blocked in the kernel cannot be unwound. shutdown() waits for it if it was
// spawned; otherwise it terminates it (its next channel operation fails), waits a moment, and
// stops the runtime without it. The thread ends when the system call returns.
TEST(Fault, ShutdownLeavesAThreadProcessBlockedInReadAndItEndsLater) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  csp::Channel<int> c;
  auto Blocked = csp::thread_process([](int fd, csp::ChannelEndWrite<int> out) {
    char byte = 0;
    if (::read(fd, &byte, 1) != 1) return;
    out(byte);  // fails: the process was terminated by shutdown()
  });
  auto p = Blocked(fds[0], -c);
  p.start();
  ASSERT_TRUE(csp_test::eventually([&] { return p.is_alive(); }));
  auto began = Clock::now();
  csp::shutdown();
  EXPECT_LT(Clock::now() - began, 5s) << "shutdown() waited for a thread blocked in read()";
  EXPECT_TRUE(p.is_alive());
  ASSERT_EQ(::write(fds[1], "x", 1), 1);
  ASSERT_TRUE(p.join(10s));
  EXPECT_EQ(p.exitcode(), -15);
  // The next use starts a fresh runtime, which works.
  auto [nine] = csp::Parallel(csp::Process<int>([] { return 9; }));
  EXPECT_EQ(nine, 9);
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(Fault, ShutdownWaitsForASpawnedThreadProcessInASystemCall) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  auto Blocked = csp::thread_process([](int fd) {
    char byte = 0;
    return ::read(fd, &byte, 1);
  });
  csp::Spawn(Blocked(fds[0]));
  std::thread unblock([fd = fds[1]] {
    std::this_thread::sleep_for(300ms);
    (void)!::write(fd, "x", 1);
  });
  auto began = Clock::now();
  csp::shutdown();
  EXPECT_GE(Clock::now() - began, 250ms);
  unblock.join();
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(Fault, ShutdownWhileAThreadProcessSleepsThenRestart) {
  // Long enough to outlast stopping the runtime even under ThreadSanitizer.
  auto Sleeper = csp::thread_process([] { std::this_thread::sleep_for(4s); });
  auto p = Sleeper();
  p.start();
  csp::shutdown();
  ASSERT_TRUE(p.join(10s));
  EXPECT_EQ(p.exitcode(), -15);  // terminated, though it never touched a channel again
  auto [x] = csp::Parallel(csp::Process<int>([] { return 1; }));
  EXPECT_EQ(x, 1);
}

const auto Ponger = csp::process([](csp::ChannelEndRead<int> in, csp::ChannelEndWrite<int> out) {
  for (;;) out(in() + 1);
});

const auto Forward = csp::process([](csp::ChannelEndRead<int> in, csp::ChannelEndWrite<int> out) {
  out(in());
});

// Regression: processes that keep waking each other never left their executor's loop, so
// stopping the runtime waited for them forever; and a process unwound by shutdown() never
// ended, so joining its handle hung.
TEST(Fault, ShutdownEndsProcessesThatKeepEachOtherBusy) {
  csp::Channel<int> ping, pong, never;
  auto a = Ponger(+ping, -pong), b = Ponger(+pong, -ping);
  auto parked = Forward(+never, -ping);
  a.start();
  b.start();
  parked.start();
  ping.writer()(0);
  ASSERT_TRUE(csp_test::readers_waiting(+never));
  csp::shutdown();
  for (auto* p : {&a, &b, &parked}) {
    ASSERT_TRUE(p->join(5s)) << p->name();
    EXPECT_EQ(p->exitcode(), -15) << p->name();
  }
}

// Regression: a process started but not yet run when shutdown() stopped its executor was
// dropped without ending, so joining its handle hung. The starter holds the executor's thread
// until shutdown() has begun, with the late process queued behind it.
TEST(Fault, ShutdownEndsAProcessThatNeverRan) {
  auto late = csp::Process<>([] {});
  std::promise<void> started, stopping;
  auto starter = csp::Process<>([&late, &started, stopping = stopping.get_future()] {
    late.start();  // on this executor, runnable once this one yields
    started.set_value();
    stopping.wait();
    std::this_thread::sleep_for(200ms);  // lets shutdown() stop the executor first
  });
  starter.start();
  started.get_future().wait();
  stopping.set_value();
  csp::shutdown();
  EXPECT_TRUE(starter.join(5s));
  ASSERT_TRUE(late.join(5s));
  EXPECT_FALSE(late.is_alive());
}

// Regression: processes runnable when the runtime stopped kept counting as activity, so the
// next runtime never saw a deadlock again.
TEST(Fault, DeadlockDetectedAfterShutdownStoppedBusyProcesses) {
  for (int round = 0; round < 2; ++round) {
    csp::Channel<int> ping, pong;
    auto a = Ponger(+ping, -pong), b = Ponger(+pong, -ping);
    a.start();
    b.start();
    ping.writer()(0);
    csp::shutdown();
  }
  csp::Channel<int> x, y;
  // If the deadlock went unseen, poison ends the processes after a while instead of a hang.
  std::promise<void> finished;
  std::thread rescue([in = +x, done = finished.get_future()]() mutable {
    if (done.wait_for(10s) == std::future_status::timeout) in.poison();
  });
  bool deadlock = false;
  try {
    csp::Parallel(Forward(+x, -y), Forward(+y, -x));
  } catch (const csp::Deadlock&) {
    deadlock = true;
  }
  finished.set_value();
  rescue.join();
  EXPECT_TRUE(deadlock);
  x.poison();
  csp::shutdown();
}

/// Runs the exit_child program with `arg`; its exit status and what it printed.
struct ChildResult {
  int status = -1;
  std::string output;
  bool timed_out = false;
};

ChildResult run_child(const char* arg, std::chrono::seconds timeout) {
  ChildResult r;
  int out[2];
  if (::pipe(out) != 0) return r;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    ::close(out[0]);
    ::execl(CSP_EXIT_CHILD, CSP_EXIT_CHILD, arg, static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  auto deadline = Clock::now() + timeout;
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      r.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    r.output.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  ::waitpid(pid, &r.status, 0);
  return r;
}

void expect_clean_exit(const char* how, int code) {
  ChildResult r = run_child(how, 30s);
  ASSERT_FALSE(r.timed_out) << "the program did not end; it printed:\n" << r.output;
  ASSERT_TRUE(WIFEXITED(r.status)) << "ended by signal " << WTERMSIG(r.status) << ":\n" << r.output;
  EXPECT_EQ(WEXITSTATUS(r.status), code) << r.output;
  EXPECT_EQ(r.output, "spawned\n");  // no crash report, no sanitizer report
}

TEST(Fault, ReturnFromMainWhileSpawnedProcessesRun) { expect_clean_exit("return", 3); }

TEST(Fault, ExitWhileSpawnedProcessesRun) { expect_clean_exit("exit", 4); }

TEST(Fault, RuntimeRestartsWithEverythingInUse) {
  // Each round uses fiber and thread processes, timers, alternation and shared state over a
  // channel made before the first shutdown, and starts a process made in the previous round.
  csp::Channel<int> kept;
  auto Sender = csp::process([](csp::ChannelEndWrite<int> out, int x) {
    csp::AltSelect(csp::TimeoutGuard(1ms));
    csp::AltSelect(csp::OutputGuard(out, x));
    return x;
  });
  auto Adder = csp::thread_process([](csp::ChannelEndRead<int> in, csp::Value<int> v) {
    v.set(v.get() + in());
  });
  std::optional<csp::Process<int>> previous;
  for (int round = 0; round < 5; ++round) {
    csp::Value<int> total(0);  // owner actors end with their runtime
    auto [_, sent] = csp::Parallel(Adder(+kept, total), Sender(-kept, round));
    EXPECT_EQ(sent, round);
    EXPECT_EQ(total.get(), round);
    if (previous) {
      auto [late, __] = csp::Parallel(std::move(*previous), Adder(+kept, total));
      EXPECT_EQ(late, 100 + round - 1);
      EXPECT_EQ(total.get(), 100 + 2 * round - 1);
    }
    previous = Sender(-kept, 100 + round);  // not started until the next runtime
    csp::Spawn(csp::Process<>([] { csp::AltSelect(csp::TimeoutGuard(5ms)); }));
    csp::shutdown();
  }
}

}  // namespace
