// csp::multiprocess lifecycle with real child processes: pid, exit codes, exceptions,
// terminate, kill -9, abort, and a parent that dies.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <csp/csp.hpp>

using namespace std::chrono_literals;

namespace {

auto OwnPid = csp::multiprocess([] { return static_cast<int>(::getpid()); });
auto Square = csp::multiprocess([](int x) { return x * x; });
auto Throws = csp::multiprocess([] { throw std::runtime_error("boom in the child"); });
auto Exits = csp::multiprocess([](int code) { std::_Exit(code); });
auto Sleeps = csp::multiprocess([] { std::this_thread::sleep_for(60s); });
auto Aborts = csp::multiprocess([] { std::abort(); });

TEST(Multiprocess, BodyRunsInAnotherOsProcess) {
  auto p = OwnPid();
  EXPECT_FALSE(p.pid());
  p.start();
  ASSERT_TRUE(p.join(20s));
  int child = p.result();
  EXPECT_NE(child, ::getpid());
  EXPECT_EQ(p.pid(), child);
  EXPECT_EQ(p.exitcode(), 0);
  EXPECT_FALSE(p.is_alive());
}

TEST(Multiprocess, ArgumentsAndResultCross) {
  auto [a, b] = csp::Parallel(Square(7), Square(-12));
  EXPECT_EQ(a, 49);
  EXPECT_EQ(b, 144);
}

TEST(Multiprocess, SequenceAndRangesOfChildren) {
  auto [a, b] = csp::Sequence(Square(5), OwnPid());
  EXPECT_EQ(a, 25);
  EXPECT_NE(b, ::getpid());
  std::vector<csp::Process<int>> farm;
  for (int i = 0; i < 6; ++i) farm.push_back(Square(i));
  EXPECT_EQ(csp::Parallel(std::move(farm)), (std::vector<int>{0, 1, 4, 9, 16, 25}));
}

TEST(Multiprocess, SpawnedChildIsWaitedForByShutdown) {
  auto Marks = csp::multiprocess([](std::string path) { std::ofstream(path) << "done\n"; });
  std::string path = "/tmp/csp_spawned_" + std::to_string(::getpid());
  std::remove(path.c_str());
  csp::Spawn(Marks(path));
  csp::shutdown();
  std::string word;
  EXPECT_TRUE(std::ifstream(path) >> word);
  EXPECT_EQ(word, "done");
  std::remove(path.c_str());
}

TEST(Multiprocess, NameIsKept) {
  auto Named = csp::multiprocess("squarer", [](int x) { return x * x; });
  auto p = Named(3);
  EXPECT_EQ(p.name(), "squarer");
  EXPECT_EQ(Square(1).name(std::string("mine")).name(), "mine");
}

TEST(Multiprocess, ExceptionGivesExitCodeOneAndParallelRethrows) {
  auto p = Throws();
  try {
    csp::Parallel(std::move(p));
    FAIL() << "Parallel did not rethrow";
  } catch (const csp::ChildProcessError& e) {
    EXPECT_NE(std::string(e.what()).find("boom in the child"), std::string::npos) << e.what();
    EXPECT_EQ(e.exitcode(), 1);
  }
  auto q = Throws();
  q.start();
  ASSERT_TRUE(q.join(20s));
  EXPECT_EQ(q.exitcode(), 1);
  EXPECT_THROW(q.result(), csp::ChildProcessError);
}

TEST(Multiprocess, ExitCodeOfTheChildIsVisible) {
  auto p = Exits(3);
  p.start();
  ASSERT_TRUE(p.join(20s));
  EXPECT_EQ(p.exitcode(), 3);
  EXPECT_THROW(p.result(), csp::ChildProcessError);
}

TEST(Multiprocess, TerminateStopsTheChild) {
  auto p = Sleeps();
  p.start();
  ASSERT_TRUE(p.pid());
  EXPECT_TRUE(p.is_alive());
  p.terminate();
  ASSERT_TRUE(p.join(5s));
  EXPECT_EQ(p.exitcode(), -15);
  EXPECT_NE(::kill(*p.pid(), 0), 0) << "the child was reaped";
}

TEST(Multiprocess, KillNineIsAFailureWithMinusNine) {
  auto p = Sleeps();
  p.start();
  ASSERT_EQ(::kill(*p.pid(), SIGKILL), 0);
  ASSERT_TRUE(p.join(5s));
  EXPECT_EQ(p.exitcode(), -SIGKILL);
  try {
    p.result();
    FAIL() << "no error";
  } catch (const csp::ChildProcessError& e) {
    EXPECT_NE(std::string(e.what()).find("killed by signal 9"), std::string::npos) << e.what();
  }
}

TEST(Multiprocess, AbortIsAFailureWithMinusSix) {
  auto p = Aborts();
  EXPECT_THROW(csp::Parallel(std::move(p)), csp::ChildProcessError);
  auto q = Aborts();
  q.start();
  ASSERT_TRUE(q.join(20s));
  EXPECT_EQ(q.exitcode(), -SIGABRT);
}

// A child that starts a grandchild and then dies: the grandchild must not linger.
auto Orphans = csp::multiprocess([](int test_pid) {
  auto grandchild = Sleeps();
  grandchild.start();
  std::ofstream("/tmp/csp_orphan_" + std::to_string(test_pid)) << *grandchild.pid() << '\n';
  ::kill(::getpid(), SIGKILL);
});

bool gone(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field, comm, state;
  return !(stat >> pid_field >> comm >> state) || state == "Z";
}

TEST(Multiprocess, ChildOfADeadParentDoesNotLinger) {
  auto p = Orphans(static_cast<int>(::getpid()));
  p.start();
  ASSERT_TRUE(p.join(20s));
  EXPECT_EQ(p.exitcode(), -SIGKILL);
  std::string path = "/tmp/csp_orphan_" + std::to_string(::getpid());
  int grandchild = 0;
  ASSERT_TRUE(std::ifstream(path) >> grandchild);
  std::remove(path.c_str());
  auto deadline = std::chrono::steady_clock::now() + 2s;
  while (!gone(grandchild) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(gone(grandchild)) << "grandchild " << grandchild << " outlived its parent";
}

}  // namespace
