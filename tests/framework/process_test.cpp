// The Process handle (Python multiprocessing.Process's API), what escaping exceptions do to a
// process's ends (PyCSP), thread_process, and the idle spin of whatever waits.

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "csp/detail/idle_spin.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using csp_test::drain;

auto Echo = csp::process([](csp::ChannelEndRead<int> in) { return in(); });

TEST(Process, JoinWithTimeoutWhileRunningThenEnded) {
  csp::Channel<int> c;
  auto p = Echo(+c);
  EXPECT_FALSE(p.is_alive());
  EXPECT_FALSE(p.exitcode());
  p.start();
  EXPECT_FALSE(p.join(50ms));
  EXPECT_TRUE(p.is_alive());
  EXPECT_FALSE(p.exitcode());
  c.writer()(42);
  EXPECT_TRUE(p.join(10s));
  EXPECT_FALSE(p.is_alive());
  EXPECT_EQ(p.exitcode(), 0);
  EXPECT_EQ(p.result(), 42);
}

TEST(Process, JoinWaitsForTheEnd) {
  csp::Channel<int> c;
  auto p = Echo(+c);
  auto LateWriter = csp::thread_process([](csp::ChannelEndWrite<int> out) {
    std::this_thread::sleep_for(20ms);
    out(7);
  });
  auto w = LateWriter(-c);
  p.start();
  w.start();
  p.join();
  EXPECT_EQ(p.exitcode(), 0);
  EXPECT_EQ(p.result(), 7);
  w.join();
}

TEST(Process, ExitcodeOneAfterException) {
  csp::Process<int> p([]() -> int { throw std::runtime_error("boom"); });
  p.start();
  ASSERT_TRUE(p.join(10s));
  EXPECT_EQ(p.exitcode(), 1);
  EXPECT_THROW(p.result(), std::runtime_error);
}

TEST(Process, ExitcodeZeroWhenChannelExceptionEscapes) {
  csp::Channel<int> c;
  auto in = +c;
  csp::poison(in);
  auto p = Echo(in);
  p.start();
  ASSERT_TRUE(p.join(10s));
  EXPECT_EQ(p.exitcode(), 0);
  EXPECT_EQ(p.result(), 0);  // returned nothing: a value-initialized result, as PyCSP's None
}

TEST(Process, TerminateParkedProcess) {
  csp::Channel<int> c;
  auto in = +c;
  auto p = Echo(in);
  p.start();
  ASSERT_TRUE(csp_test::readers_waiting(in));
  p.terminate();
  ASSERT_TRUE(p.join(10s));
  EXPECT_EQ(p.exitcode(), -15);
  EXPECT_FALSE(p.is_alive());
}

TEST(Process, TerminateBeforeItBlocks) {
  csp::Channel<int> c;
  auto p = Echo(+c);
  p.start();
  p.terminate();  // whether or not it has parked yet, its read must fail
  ASSERT_TRUE(p.join(10s));
  EXPECT_EQ(p.exitcode(), -15);
}

TEST(Process, Names) {
  csp::Process<> a([] {});
  csp::Process<> b([] {});
  EXPECT_FALSE(a.name().empty());
  EXPECT_NE(a.name(), b.name());
  auto Named = csp::process("Worker", [] {});
  EXPECT_EQ(Named().name(), "Worker");
  a.name("Renamed");
  EXPECT_EQ(a.name(), "Renamed");
}

TEST(Process, PidEmptyBeforeStart) {
  csp::Process<> p([] {});
  EXPECT_FALSE(p.pid());
  p.start();
  p.join();
  EXPECT_EQ(p.pid(), static_cast<int>(::getpid()));
}

TEST(Process, StartingTwiceThrows) {
  csp::Process<> p([] {});
  p.start();
  EXPECT_THROW(p.start(), csp::Error);
  p.join();
  EXPECT_THROW(p.start(), csp::Error);
  EXPECT_THROW(csp::Parallel(std::move(p)), csp::Error);
}

TEST(Process, MovedFromHandleThrows) {
  csp::Process<> p([] {});
  csp::Process<> q = std::move(p);
  EXPECT_THROW(p.start(), csp::Error);
  q.start();
  q.join();
  EXPECT_EQ(q.exitcode(), 0);
}

TEST(Process, WrapperCopiesArguments) {
  auto Length = csp::process([](std::string s) { return s.size(); });
  std::string text = "four";
  auto p = Length(text);
  text = "much longer now";
  auto [n] = csp::Parallel(std::move(p));
  EXPECT_EQ(n, 4u);
}

TEST(Process, ReturningNormallyDoesNotRetire) {
  csp::Channel<int> c(csp::Buffer{1});
  auto Once = csp::process([](csp::ChannelEndWrite<int> out) { out(1); });
  csp::Parallel(Once(-c));
  auto stats = c.reader().core_ptr()->stats();
  EXPECT_FALSE(stats.retired);
  EXPECT_EQ(stats.writers, 1);
}

// PyCSP: a body that fails poisons the ends it was given, so its peers end too, and Parallel
// rethrows once every process has ended.
TEST(ProcessExceptions, BodyExceptionPoisonsEndsAndParallelRethrows) {
  csp::Channel<int> c;
  auto Thrower = csp::process([](csp::ChannelEndWrite<int> out) {
    out(1);
    throw std::runtime_error("thrower failed");
  });
  auto Reader = csp::process([](csp::ChannelEndRead<int> in) { return drain(in); });
  auto thrower = Thrower(-c);
  auto reader = Reader(+c);
  try {
    csp::Parallel(std::move(thrower), std::move(reader));
    ADD_FAILURE() << "Parallel did not rethrow";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "thrower failed");
  }
  EXPECT_EQ(thrower.exitcode(), 1);
  EXPECT_EQ(reader.exitcode(), 0);
  EXPECT_EQ(reader.result(), (std::vector<int>{1}));
  EXPECT_THROW(c.writer()(2), csp::ChannelPoisonException);
}

TEST(ProcessExceptions, ParallelRethrowsTheFirstException) {
  csp::Channel<int> c;
  auto First = csp::process([](csp::ChannelEndWrite<int>) { throw std::runtime_error("first"); });
  // Fails only after the first one's failure has poisoned the channel.
  auto Second = csp::process([](csp::ChannelEndRead<int> in) {
    try {
      in();
    } catch (const csp::ChannelPoisonException&) {
      throw std::logic_error("second");
    }
  });
  try {
    csp::Parallel(Second(+c), First(-c));
    ADD_FAILURE() << "Parallel did not rethrow";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "first");
  }
}

TEST(ProcessExceptions, ChannelExceptionsAreNotRethrown) {
  csp::Channel<int> a, b;
  auto Poisoner = csp::process([](csp::ChannelEndWrite<int>) {
    throw csp::ChannelPoisonException("raised by hand");
  });
  auto Retirer = csp::process([](csp::ChannelEndWrite<int>) {
    throw csp::ChannelRetireException("raised by hand");
  });
  auto Reader = csp::process([](csp::ChannelEndRead<int> in) -> std::string {
    try {
      in();
    } catch (const csp::ChannelPoisonException&) {
      return "poison";
    } catch (const csp::ChannelRetireException&) {
      return "retire";
    }
    return "message";
  });
  auto [p, r, ra, rb] = csp::Parallel(Poisoner(-a), Retirer(-b), Reader(+a), Reader(+b));
  EXPECT_EQ(ra, "poison");  // an escaping poison poisons the process's ends
  EXPECT_EQ(rb, "retire");  // an escaping retire retires them
}

TEST(ThreadProcess, RunsOnItsOwnThread) {
  auto Id = csp::thread_process([] {
    std::this_thread::sleep_for(1ms);  // a thread process may block its OS thread
    return std::this_thread::get_id();
  });
  auto [id] = csp::Parallel(Id());
  EXPECT_NE(id, std::this_thread::get_id());
}

TEST(ThreadProcess, TalksToFiberProcesses) {
  csp::Channel<int> to_thread, from_thread;
  auto Doubler = csp::thread_process([](csp::ChannelEndRead<int> in, csp::ChannelEndWrite<int> out) {
    try {
      for (;;) out(2 * in());
    } catch (const csp::ChannelRetireException&) {
      csp::retire(out);
    }
  });
  auto Producer = csp::process([](csp::ChannelEndWrite<int> out) {
    for (int i = 0; i < 100; ++i) out(i);
    csp::retire(out);
  });
  auto Consumer = csp::process([](csp::ChannelEndRead<int> in) { return drain(in); });
  auto [d, p, got] =
      csp::Parallel(Doubler(+to_thread, -from_thread), Producer(-to_thread), Consumer(+from_thread));
  ASSERT_EQ(got.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(got[i], 2 * i);
}

TEST(ThreadProcess, TerminateParkedThreadProcess) {
  csp::Channel<int> c;
  auto in = +c;
  auto p = csp::thread_process([](csp::ChannelEndRead<int> in) { return in(); })(in);
  p.start();
  ASSERT_TRUE(csp_test::readers_waiting(in));
  p.terminate();
  ASSERT_TRUE(p.join(10s));
  EXPECT_EQ(p.exitcode(), -15);
}

// Waiting threads and idle workers may poll before they sleep (Configuration::idle_spin), or
// sleep at once with 0. Either way every wake-up arrives: between two processes on one executor, two
// on different executors, and a process and the main thread.
class IdleSpin : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    csp::shutdown();
    csp::Configuration{}.threads(2).idle_spin(std::chrono::microseconds(GetParam())).apply();
  }
  void TearDown() override {
    csp::shutdown();
    csp::Configuration{}.apply();
  }
};

constexpr int volleys = 2000;

const auto Server = csp::process([](csp::ChannelEndRead<int> in, csp::ChannelEndWrite<int> out) {
  for (int i = 0; i < volleys; ++i) out(in() + 1);
});
const auto Client = csp::process([](csp::ChannelEndWrite<int> out, csp::ChannelEndRead<int> in) {
  int sum = 0;
  for (int i = 0; i < volleys; ++i) {
    out(i);
    sum += in() - i;
  }
  return sum;
});

TEST_P(IdleSpin, EveryWakeUpArrives) {
  csp::Channel<int> there, back;
  auto [server, together] = csp::Parallel(Server(+there, -back), Client(-there, +back));
  EXPECT_EQ(together, volleys);

  csp::Spawn(Server(+there, -back));  // from main, each start takes the next executor
  auto apart = Client(-there, +back);
  apart.start();
  ASSERT_TRUE(apart.join(30s));
  EXPECT_EQ(apart.result(), volleys);

  auto echo = Server(+there, -back);
  echo.start();
  auto out = -there;
  auto in = +back;
  for (int i = 0; i < volleys; ++i) {
    out(i);
    ASSERT_EQ(in(), i + 1);
  }
  ASSERT_TRUE(echo.join(30s));
  auto spin = std::chrono::microseconds(std::thread::hardware_concurrency() > 1 ? GetParam() : 0);
  EXPECT_EQ(csp::detail::idle_spin(), spin);
}

INSTANTIATE_TEST_SUITE_P(Microseconds, IdleSpin, ::testing::Values(0, 50, 10000));

// Unset in the Configuration, the spin is CSP_IDLE_SPIN's (microseconds), or 0; the
// Configuration's wins; a value that is not a number is ignored with a line saying so.
TEST(IdleSpinEnvironment, AppliesWhenTheConfigurationSetsNone) {
  const auto cores = [](std::chrono::microseconds spin) {
    return std::thread::hardware_concurrency() > 1 ? spin : 0us;
  };
  const auto started = [](const csp::Configuration& config) {
    csp::shutdown();
    config.apply();
    csp::Parallel(csp::process([] {})());  // starts the runtime
    return csp::detail::idle_spin();
  };
  ::unsetenv("CSP_IDLE_SPIN");
  EXPECT_EQ(started(csp::Configuration{}), 0us);
  ::setenv("CSP_IDLE_SPIN", "30", 1);
  EXPECT_EQ(started(csp::Configuration{}), cores(30us));
  EXPECT_EQ(started(csp::Configuration{}.idle_spin(0us)), 0us);
  EXPECT_EQ(started(csp::Configuration{}.idle_spin(70us)), cores(70us));
  ::setenv("CSP_IDLE_SPIN", "30us", 1);
  testing::internal::CaptureStderr();
  EXPECT_EQ(started(csp::Configuration{}), 0us);
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "csp: CSP_IDLE_SPIN=30us is not a number of microseconds: ignored\n");
  ::unsetenv("CSP_IDLE_SPIN");
  csp::shutdown();
  csp::Configuration{}.apply();
}

// A thread whose polls come to nothing skips its next 1, 2, 4, ... polls, and one that pays off
// resets that: seen in how often spin_until asks its predicate (more than once if it polled).
TEST(IdleSpinBackoff, SkipsMorePollsAfterEachThatCameToNothing) {
  if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "no polling on one core";
  const std::chrono::nanoseconds before = csp::detail::idle_spin();
  csp::detail::set_idle_spin(200ms);  // long enough that a poll paying off is never preempted
  std::vector<bool> polled;
  std::thread([&] {  // a thread of its own: its own history
    auto poll = [&](int ready_at) {
      int asked = 0;
      csp::detail::spin_until([&] { return ++asked == ready_at; });
      polled.push_back(asked > 1);
    };
    for (int i = 0; i < 10; ++i) poll(0);  // never ready
    poll(3);                                // ready on the third ask: it paid off
    for (int i = 0; i < 2; ++i) poll(0);
  }).join();
  csp::detail::set_idle_spin(before);
  EXPECT_EQ(polled, (std::vector<bool>{true, false, true, false, false, true, false, false, false,
                                       false, true, true, false}));
}

}  // namespace
