// Channel ends as multiprocess arguments, between real child processes and this one: thousands
// of messages on an anonymous channel, children at both ends, retire counted across writers,
// and a child killed or failing in mid-stream poisoning what it held.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <csp/csp.hpp>

#include "../framework/test_support.hpp"

using namespace std::chrono_literals;

namespace {

// Writes first, first + 1, ... (count of them), then retires.
auto Writer = csp::multiprocess([](csp::ChannelEndWrite<int> out, int first, int count) {
  for (int i = first; i < first + count; ++i) out(i);
  csp::retire(out);
});

// Reads until the writers retire; returns how many it read, their sum, and its pid.
auto Summer = csp::multiprocess([](csp::ChannelEndRead<int> in) {
  std::tuple<int, long, int> got{0, 0, static_cast<int>(::getpid())};
  try {
    for (;;) {
      std::get<1>(got) += in();
      ++std::get<0>(got);
    }
  } catch (const csp::ChannelRetireException&) {
  }
  return got;
});

auto Endless = csp::multiprocess([](csp::ChannelEndWrite<int> out) {
  for (int i = 0;; ++i) out(i);
});

auto Five = csp::multiprocess([](csp::ChannelEndWrite<int> out) {
  for (int i = 0; i < 5; ++i) out(i);
});

// Writes `v`, then retires its end if `retire`; what its write found.
constexpr auto write_once = [](csp::ChannelEndWrite<int> out, int v, bool retire) {
  try {
    out(v);
  } catch (const csp::ChannelRetireException&) {
    return std::string("retired");
  }
  if (retire) csp::retire(out);
  return std::string("written");
};
auto WriteOnce = csp::multiprocess(write_once);
auto WriteOnceHere = csp::process(write_once);

auto GivesUp = csp::multiprocess([](csp::ChannelEndWrite<int> out) {
  out(1);
  throw std::runtime_error("gave up after one message");
});

// Writes its index to each end in turn, and retires it.
auto Fanout = csp::multiprocess([](std::vector<csp::ChannelEndWrite<int>> outs) {
  for (std::size_t i = 0; i < outs.size(); ++i) {
    outs[i](static_cast<int>(i));
    csp::retire(outs[i]);
  }
});

// Takes `count` messages from whichever of two ends is ready; returns their sum.
auto Merger = csp::multiprocess([](csp::ChannelEndRead<int> a, csp::ChannelEndRead<int> b, int count) {
  long sum = 0;
  for (int i = 0; i < count; ++i) sum += csp::AltSelect(csp::InputGuard(a), csp::InputGuard(b)).value<int>();
  return sum;
});

// Does not retire: a retired guard would end the merger's select before it has taken the rest.
auto LocalWriter = csp::process([](csp::ChannelEndWrite<int> out, int first, int count) {
  for (int i = first; i < first + count; ++i) out(i);
});

using csp_test::drain;
auto Drain = csp::process(drain<int>);

std::vector<int> iota(int first, int count) {
  std::vector<int> v(static_cast<std::size_t>(count));
  std::iota(v.begin(), v.end(), first);
  return v;
}

TEST(MultiprocessChannels, TenThousandMessagesFromAChild) {
  csp::Channel<int> c;  // anonymous: nothing is served by name
  auto [written, got] = csp::Parallel(Writer(-c, 0, 10000), Drain(+c));
  EXPECT_EQ(got, iota(0, 10000));  // all of them, in order, then the child's retire
}

TEST(MultiprocessChannels, ReaderAndWriterBothChildren) {
  csp::Channel<int> c;
  auto [written, got] = csp::Parallel(Writer(-c, 1, 2000), Summer(+c));
  auto [count, sum, pid] = got;
  EXPECT_EQ(count, 2000);
  EXPECT_EQ(sum, 2000L * 2001 / 2);
  EXPECT_NE(pid, ::getpid());
}

TEST(MultiprocessChannels, RetireWaitsForEveryChildWriter) {
  csp::Channel<int> c;
  // Two joins, one per child: the reader sees the retire only after both have retired.
  auto [w1, w2, got] = csp::Parallel(Writer(-c, 0, 3000), Writer(-c, 3000, 3000), Drain(+c));
  std::vector<int> first, second;
  for (int v : got) (v < 3000 ? first : second).push_back(v);
  EXPECT_EQ(first, iota(0, 3000));  // each writer's messages in its order
  EXPECT_EQ(second, iota(3000, 3000));
}

TEST(MultiprocessChannels, ChildAlternatesOverTwoEnds) {
  csp::Channel<int> a, b;
  auto [wa, wb, sum] = csp::Parallel(LocalWriter(-a, 0, 500), LocalWriter(-b, 500, 500), Merger(+a, +b, 1000));
  EXPECT_EQ(sum, 999L * 1000 / 2);
}

TEST(MultiprocessChannels, VectorOfEnds) {
  std::vector<csp::Channel<int>> channels(3);
  std::vector<csp::ChannelEndWrite<int>> outs;
  for (auto& c : channels) outs.push_back(-c);
  auto p = Fanout(std::move(outs));
  p.start();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(drain(+channels[i]), std::vector<int>{i});
  p.join();
  EXPECT_EQ(p.exitcode(), 0);
}

TEST(MultiprocessChannels, KilledChildPoisonsWithinOneSecond) {
  csp::Channel<int> c;
  auto in = +c;
  auto writer = Endless(-c);
  writer.start();
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(in(), i);
  ASSERT_TRUE(writer.pid());
  ASSERT_EQ(::kill(*writer.pid(), SIGKILL), 0);
  auto killed = std::chrono::steady_clock::now();
  EXPECT_THROW(
      for (;;) in(), csp::ChannelPoisonException);
  auto poisoned_after = std::chrono::steady_clock::now() - killed;
  RecordProperty("poisoned_after_us",
                 static_cast<int>(std::chrono::duration_cast<std::chrono::microseconds>(poisoned_after).count()));
  EXPECT_LT(poisoned_after, 1s);
  ASSERT_TRUE(writer.join(10s));
  EXPECT_EQ(writer.exitcode(), -SIGKILL);
}

TEST(MultiprocessChannels, ChildThatReturnsLeavesItsEndJoined) {
  csp::Channel<int> c;
  auto out = -c;
  auto in = +c;
  auto p = Five(out);
  p.start();
  for (int i = 0; i < 5; ++i) ASSERT_EQ(in(), i);
  ASSERT_TRUE(p.join(10s));
  EXPECT_EQ(p.exitcode(), 0);
  // As after a local process's return: the end the child was given is neither retired nor
  // poisoned, and the copy here still writes on its join.
  auto more = LocalWriter(out, 5, 1);
  more.start();
  EXPECT_EQ(in(), 5);
  more.join();
  csp::retire(out);
  EXPECT_THROW(in(), csp::ChannelRetireException);
}

TEST(MultiprocessChannels, FailingChildPoisonsItsEnds) {
  csp::Channel<int> c;
  auto in = +c;
  auto p = GivesUp(-c);
  p.start();
  EXPECT_EQ(in(), 1);
  EXPECT_THROW(in(), csp::ChannelPoisonException);
  ASSERT_TRUE(p.join(10s));
  EXPECT_EQ(p.exitcode(), 1);
  try {
    p.result();
    ADD_FAILURE() << "the child's exception was not reported";
  } catch (const csp::ChildProcessError& e) {
    EXPECT_NE(std::string(e.what()).find("gave up after one message"), std::string::npos) << e.what();
  }
}

TEST(MultiprocessChannels, EndMovedFromIsAnErrorBeforeTheChildStarts) {
  csp::Channel<int> c("moved");
  auto out = -c;
  auto kept = std::move(out);
  auto p = Five(out);
  p.start();
  ASSERT_TRUE(p.join(10s));
  try {
    p.result();
    ADD_FAILURE() << "a moved-from end was lent to the child";
  } catch (const csp::Error& e) {
    EXPECT_EQ(std::string(e.what()), "channel 'moved': an end moved from was passed to a multiprocess child");
  }
  // The end it was moved to still writes.
  auto in = +c;
  auto w = LocalWriter(kept, 7, 1);
  w.start();
  EXPECT_EQ(in(), 7);
  ASSERT_TRUE(w.join(10s));
}

// Two processes made by `make` get copies of one end: the first writes and retires it, which
// retires the one join the copies share, so the reader sees the retire at once and the second's
// write fails.
template <class Make>
void copies_share_one_join(Make make) {
  csp::Channel<int> c;
  auto out = -c;
  auto in = +c;
  auto first = make(out, 1, true);
  auto second = make(out, 2, false);
  first.start();
  EXPECT_EQ(in(), 1);
  first.join();
  EXPECT_EQ(first.result(), "written");
  EXPECT_TRUE(out.retired());
  EXPECT_THROW(in(), csp::ChannelRetireException);
  second.start();
  if (!second.join(10s)) {
    second.terminate();
    second.join();
    FAIL() << "the second copy's write was not refused";
  }
  EXPECT_EQ(second.result(), "retired");
}

TEST(MultiprocessChannels, CopiesOfOneEndShareItsRetireAsLocalCopiesDo) {
  copies_share_one_join(WriteOnceHere);
  copies_share_one_join(WriteOnce);
}

}  // namespace
