// Alternation: PriSelect, FairSelect and AltSelect policies, every guard kind and its action,
// OutputGuard's exactly-once commit, the reusable Alternation, poison and retire in guards,
// and timeouts (including PyCSP issue 27: a TimeoutGuard in a long loop).

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <tuple>
#include <utility>
#include <set>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using csp_test::drain;
using Clock = std::chrono::steady_clock;

/// A buffered channel holding `values`, so its input guards are ready without any process.
struct Filled {
  explicit Filled(const std::vector<int>& values) : channel(csp::Buffer{values.size()}) {
    auto out = channel.writer();
    for (int v : values) out(v);
  }
  csp::Channel<int> channel;
};

auto Writer = csp::process([](csp::ChannelEndWrite<int> out, int v) { out(v); });

TEST(PriSelect, PicksFirstReadyGuard) {
  Filled a({1, 2}), b({10, 20});
  auto ina = +a.channel;
  auto inb = +b.channel;
  auto r = csp::PriSelect(csp::InputGuard(ina), csp::InputGuard(inb));
  EXPECT_EQ(r.index(), 0u);
  EXPECT_EQ(r.value<int>(), 1);
  r = csp::PriSelect(csp::InputGuard(inb), csp::InputGuard(ina));
  EXPECT_EQ(r.index(), 0u);
  EXPECT_EQ(r.value<int>(), 10);
}

TEST(PriSelect, PicksFirstReadyRendezvousWriter) {
  csp::Channel<int> a, b, idle;
  auto ina = +a;
  auto inb = +b;
  auto wa = Writer(-a, 1);
  auto wb = Writer(-b, 2);
  wa.start();
  wb.start();
  ASSERT_TRUE(csp_test::writers_waiting(ina));
  ASSERT_TRUE(csp_test::writers_waiting(inb));
  auto r = csp::PriSelect(csp::InputGuard(+idle), csp::InputGuard(inb), csp::InputGuard(ina));
  EXPECT_EQ(r.index(), 1u);
  EXPECT_EQ(r.value<int>(), 2);
  r = csp::PriSelect(csp::InputGuard(+idle), csp::InputGuard(ina), csp::InputGuard(inb));
  EXPECT_EQ(r.index(), 1u);
  EXPECT_EQ(r.value<int>(), 1);
  EXPECT_TRUE(wa.join(10s));
  EXPECT_TRUE(wb.join(10s));
}

TEST(PriSelect, PoisonedGuardThrowsEvenWhenALaterOneIsReady) {
  csp::Channel<int> poisoned;
  Filled ready({5});
  auto in = +poisoned;
  csp::poison(in);
  EXPECT_THROW(csp::PriSelect(csp::InputGuard(in), csp::InputGuard(+ready.channel)),
               csp::ChannelPoisonException);
  EXPECT_EQ(ready.channel.reader()(), 5) << "the select took the later guard's message";
}

TEST(FairSelect, AlternatesBetweenTwoAlwaysReadyInputs) {
  Filled a(std::vector<int>(20, 0)), b(std::vector<int>(20, 1));
  std::vector<std::size_t> chosen;
  for (int i = 0; i < 20; ++i)
    chosen.push_back(csp::FairSelect(csp::InputGuard(+a.channel), csp::InputGuard(+b.channel)).index());
  for (std::size_t i = 1; i < chosen.size(); ++i) EXPECT_NE(chosen[i], chosen[i - 1]) << "at " << i;
}

// Between selects the process parks and is woken from the main thread, so its fiber may be
// resumed on another worker thread: fairness must follow the process, not the thread.
TEST(FairSelect, AlternatesInAProcessThatMovesBetweenWorkers) {
  Filled a(std::vector<int>(40, 0)), b(std::vector<int>(40, 1));
  csp::Channel<int> tick;
  auto Chooser = csp::process(
      [](csp::ChannelEndRead<int> a, csp::ChannelEndRead<int> b, csp::ChannelEndRead<int> tick) {
        std::vector<std::size_t> chosen;
        for (int i = 0; i < 40; ++i) {
          tick();
          chosen.push_back(csp::FairSelect(csp::InputGuard(a), csp::InputGuard(b)).index());
        }
        return chosen;
      });
  auto p = Chooser(+a.channel, +b.channel, +tick);
  p.start();
  auto out = -tick;
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(csp_test::readers_waiting(out));  // parked, so the wake-up is a cross-thread one
    out(i);
  }
  ASSERT_TRUE(p.join(10s));
  auto chosen = p.result();
  for (std::size_t i = 1; i < chosen.size(); ++i) EXPECT_NE(chosen[i], chosen[i - 1]) << "at " << i;
}

TEST(AltSelect, EventuallyPicksEveryReadyGuard) {
  Filled a(std::vector<int>(1000, 0)), b(std::vector<int>(1000, 1));
  std::set<std::size_t> seen;
  for (int i = 0; i < 1000 && seen.size() < 2; ++i)
    seen.insert(csp::AltSelect(csp::InputGuard(+a.channel), csp::InputGuard(+b.channel)).index());
  EXPECT_EQ(seen, (std::set<std::size_t>{0, 1}));
}

TEST(AltSelect, WaitsForAWriter) {
  csp::Channel<int> a, b;
  auto w = Writer(-b, 9);
  w.start();
  auto r = csp::AltSelect(csp::InputGuard(+a), csp::InputGuard(+b));
  EXPECT_EQ(r.index(), 1u);
  EXPECT_EQ(r.value<int>(), 9);
  EXPECT_TRUE(w.join(10s));
}

TEST(AltSelect, TwoAlternationsMeet) {
  csp::Channel<int> c;
  auto Offer = csp::process([](csp::ChannelEndWrite<int> out) {
    return csp::AltSelect(csp::OutputGuard(out, 5), csp::TimeoutGuard(10s)).index();
  });
  auto Accept = csp::process([](csp::ChannelEndRead<int> in) {
    auto r = csp::AltSelect(csp::TimeoutGuard(10s), csp::InputGuard(in));
    return r.index() == 1 ? r.value<int>() : -1;
  });
  auto [offered, accepted] = csp::Parallel(Offer(-c), Accept(+c));
  EXPECT_EQ(offered, 0u);
  EXPECT_EQ(accepted, 5);
}

TEST(AltSelect, NeverMeetsItself) {
  csp::Channel<int> c;
  auto in = +c;
  auto r = csp::PriSelect(csp::OutputGuard(-c, 1), csp::InputGuard(in), csp::TimeoutGuard(20ms));
  EXPECT_EQ(r.index(), 2u) << "an alternation took its own message";
  EXPECT_EQ(in.core_ptr()->stats().waiting_writers, 0u);
  EXPECT_EQ(in.core_ptr()->stats().waiting_readers, 0u);
}

TEST(AltSelect, InAThreadProcess) {
  csp::Channel<int> c;
  auto Chooser = csp::thread_process([](csp::ChannelEndRead<int> in) {
    auto r = csp::AltSelect(csp::InputGuard(in), csp::TimeoutGuard(10s));
    return r.index() == 0 ? r.value<int>() : -1;
  });
  auto [got, w] = csp::Parallel(Chooser(+c), Writer(-c, 11));
  EXPECT_EQ(got, 11);
}

/// Runs a select with only a timeout guard of `timeout`; how long it took.
Clock::duration time_timeout(std::chrono::milliseconds timeout) {
  csp::Channel<int> never;
  auto start = Clock::now();
  auto r = csp::AltSelect(csp::InputGuard(+never), csp::TimeoutGuard(timeout));
  EXPECT_EQ(r.index(), 1u);
  return Clock::now() - start;
}

TEST(TimeoutGuard, FiresAfterItsTimeoutFromMain) {
  auto took = time_timeout(200ms);
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 2s);
}

TEST(TimeoutGuard, FiresAfterItsTimeoutInAProcess) {
  auto [took] = csp::Parallel(csp::Process<Clock::duration>([] { return time_timeout(200ms); }));
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 2s);
}

TEST(TimeoutGuard, NegativeTimeoutThrows) {
  EXPECT_THROW(csp::TimeoutGuard(-1ms), csp::Error);
  EXPECT_NO_THROW(csp::TimeoutGuard(0ms));
}

TEST(TimeoutGuard, ManyShortExpirationsInARow) {
  auto [timeouts] = csp::Parallel(csp::Process<int>([] {
    csp::Channel<int> never;
    int n = 0;
    for (int i = 0; i < 500; ++i)
      n += csp::PriSelect(csp::InputGuard(+never), csp::TimeoutGuard(1ms)).index() == 1;
    return n;
  }));
  EXPECT_EQ(timeouts, 500);
}

// PyCSP issue 27: a TimeoutGuard armed on every pass of a long loop whose input is always
// ready must keep working (no timer left behind per pass, no slowdown, no spurious timeout).
TEST(TimeoutGuard, LongLoopWithReadyInput) {
  constexpr int passes = csp_test::sanitized ? 100'000 : 1'000'000;
  csp::Channel<int> c;
  auto Source = csp::process([](csp::ChannelEndWrite<int> out) {
    for (int i = 0; i < passes; ++i) out(i);
  });
  auto Loop = csp::process([](csp::ChannelEndRead<int> in) {
    long long sum = 0;
    int inputs = 0;
    for (int i = 0; i < passes; ++i) {
      auto r = csp::AltSelect(csp::InputGuard(in), csp::TimeoutGuard(5s));
      if (r.index() == 0) {
        ++inputs;
        sum += r.value<int>();
      }
    }
    // Afterwards a short timeout still fires.
    csp::Channel<int> never;
    bool fired = csp::AltSelect(csp::InputGuard(+never), csp::TimeoutGuard(1ms)).index() == 1;
    return std::tuple{inputs, sum, fired};
  });
  auto [s, result] = csp::Parallel(Source(-c), Loop(+c));
  auto [inputs, sum, fired] = result;
  EXPECT_EQ(inputs, passes);
  EXPECT_EQ(sum, static_cast<long long>(passes) * (passes - 1) / 2);
  EXPECT_TRUE(fired);
}

TEST(OutputGuard, DeliversWhenChosen) {
  csp::Channel<int> c;
  auto Reader = csp::process([](csp::ChannelEndRead<int> in) { return drain(in); });
  auto reader = Reader(+c);
  reader.start();
  auto out = -c;
  auto r = csp::AltSelect(csp::OutputGuard(out, 7));
  EXPECT_EQ(r.index(), 0u);
  csp::retire(out);
  ASSERT_TRUE(reader.join(10s));
  EXPECT_EQ(reader.result(), (std::vector<int>{7}));
}

TEST(OutputGuard, NotDeliveredWhenAnotherGuardIsChosen) {
  csp::Channel<int> c;
  Filled ready({1});
  auto in = +c;
  auto Reader = csp::process([](csp::ChannelEndRead<int> in) { return drain(in); });
  auto reader = Reader(in);
  reader.start();
  ASSERT_TRUE(csp_test::readers_waiting(in));  // the output guard is ready too
  auto out = -c;
  auto r = csp::PriSelect(csp::InputGuard(+ready.channel), csp::OutputGuard(out, 7));
  EXPECT_EQ(r.index(), 0u);
  out(8);
  csp::retire(out);
  ASSERT_TRUE(reader.join(10s));
  EXPECT_EQ(reader.result(), (std::vector<int>{8}));
}

TEST(OutputGuard, WithdrawnWhenTimeoutIsChosen) {
  csp::Channel<int> c;
  auto out = -c;
  auto in = +c;
  auto r = csp::AltSelect(csp::OutputGuard(out, 7), csp::TimeoutGuard(20ms));
  EXPECT_EQ(r.index(), 1u);
  // A reader arriving later must find nothing waiting.
  auto later = csp::PriSelect(csp::InputGuard(in), csp::SkipGuard());
  EXPECT_EQ(later.index(), 1u);
  EXPECT_EQ(in.core_ptr()->stats().waiting_writers, 0u);
}

TEST(OutputGuard, BufferedChannelCommitsOnce) {
  csp::Channel<int> c(csp::Buffer{1});
  auto out = -c;
  auto in = +c;
  auto r = csp::PriSelect(csp::OutputGuard(out, 1), csp::OutputGuard(out, 2));
  EXPECT_EQ(r.index(), 0u);
  EXPECT_EQ(in.core_ptr()->stats().buffered, 1u);
  EXPECT_EQ(in(), 1);
}

TEST(OutputGuard, MoveOnlyMessage) {
  csp::Channel<std::unique_ptr<int>> c(csp::Buffer{1});
  auto r = csp::AltSelect(csp::OutputGuard(-c, std::make_unique<int>(3)));
  EXPECT_EQ(r.index(), 0u);
  auto got = csp::AltSelect(csp::InputGuard(+c));
  EXPECT_EQ(*got.value<std::unique_ptr<int>>(), 3);
}

TEST(Guards, ActionsRunForTheChosenGuardOnly) {
  Filled ready({42});
  csp::Channel<int> idle;
  int input = 0, output = 0, timeout = 0, skip = 0;
  auto r = csp::PriSelect(csp::InputGuard(+ready.channel, [&](int v) { input = v; }),
                          csp::OutputGuard(-idle, 1, [&] { ++output; }), csp::SkipGuard([&] { ++skip; }));
  EXPECT_EQ(r.index(), 0u);
  EXPECT_EQ(input, 42);
  EXPECT_EQ(output + skip, 0);
  r = csp::PriSelect(csp::InputGuard(+idle), csp::TimeoutGuard(1ms, [&] { ++timeout; }));
  EXPECT_EQ(timeout, 1);
  r = csp::PriSelect(csp::InputGuard(+idle), csp::SkipGuard([&] { ++skip; }));
  EXPECT_EQ(skip, 1);
  csp::Channel<int> buffered(csp::Buffer{1});
  r = csp::PriSelect(csp::OutputGuard(-buffered, 1, [&] { ++output; }));
  EXPECT_EQ(output, 1);
}

TEST(Guards, InputActionMayTakeTheMessageByReference) {
  Filled ready({6});
  int seen = 0;
  auto r = csp::AltSelect(csp::InputGuard(+ready.channel, [&](int& v) {
    seen = v;
    v = 60;
  }));
  EXPECT_EQ(seen, 6);
  EXPECT_EQ(r.value<int>(), 60);
}

TEST(SkipGuard, ChosenWhenNothingIsReady) {
  csp::Channel<int> idle;
  auto r = csp::PriSelect(csp::InputGuard(+idle), csp::SkipGuard());
  EXPECT_EQ(r.index(), 1u);
  r = csp::AltSelect(csp::InputGuard(+idle), csp::SkipGuard(), csp::TimeoutGuard(10s));
  EXPECT_EQ(r.index(), 1u) << "skip must not wait for the timeout";
}

TEST(SkipGuard, NeverChosenOverAReadyInput) {
  Filled ready(std::vector<int>(100, 3));
  auto in = +ready.channel;
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(csp::PriSelect(csp::InputGuard(in), csp::SkipGuard()).index(), 0u);
    EXPECT_EQ(csp::PriSelect(csp::SkipGuard(), csp::InputGuard(in)).index(), 1u);  // lowest priority
  }
}

TEST(Selected, ValueOfTheWrongTypeThrows) {
  Filled ready({1});
  auto r = csp::AltSelect(csp::InputGuard(+ready.channel));
  EXPECT_THROW(r.value<std::string>(), csp::Error);
  csp::Channel<int> idle;
  auto skipped = csp::PriSelect(csp::InputGuard(+idle), csp::SkipGuard());
  EXPECT_THROW(skipped.value<int>(), csp::Error);
}

TEST(Alternation, ReusedInALoop) {
  csp::Channel<int> a, b;
  // No retire: a retired guard would make the selects throw once one source is done.
  auto Source = csp::process([](csp::ChannelEndWrite<int> out, int first) {
    for (int i = 0; i < 10; ++i) out(first + i);
  });
  auto Merge = csp::process([](csp::ChannelEndRead<int> a, csp::ChannelEndRead<int> b) {
    std::vector<int> got;
    int from_action = 0;
    csp::Alternation alt{csp::InputGuard(a, [&](int) { ++from_action; }), csp::InputGuard(b)};
    for (int i = 0; i < 20; ++i) {
      csp::Selected r = i % 4 == 0   ? alt.select()
                        : i % 4 == 1 ? alt.pri_select()
                        : i % 4 == 2 ? alt.fair_select()
                                     : alt.execute();
      got.push_back(r.value<int>());
    }
    int expected_actions = 0;
    for (int v : got) expected_actions += v < 100;
    return std::pair{got, from_action == expected_actions};
  });
  auto [sa, sb, merged] = csp::Parallel(Source(-a, 0), Source(-b, 100), Merge(+a, +b));
  auto [got, actions_ran] = merged;
  std::sort(got.begin(), got.end());
  std::vector<int> expected;
  for (int i = 0; i < 10; ++i) expected.push_back(i);
  for (int i = 0; i < 10; ++i) expected.push_back(100 + i);
  EXPECT_EQ(got, expected);
  EXPECT_TRUE(actions_ran);
}

TEST(Alternation, ReusedOutputGuardSendsItsMessageEachTime) {
  csp::Channel<int> c(csp::Buffer{5});
  csp::Alternation alt{csp::OutputGuard(-c, 4)};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(alt.select().index(), 0u);
  auto in = +c;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(in(), 4);
}

TEST(Alternation, FairSelectAlternates) {
  Filled a(std::vector<int>(10, 0)), b(std::vector<int>(10, 1));
  csp::Alternation alt{csp::InputGuard(+a.channel), csp::InputGuard(+b.channel)};
  std::size_t last = alt.fair_select().index();
  for (int i = 0; i < 9; ++i) {
    std::size_t now = alt.fair_select().index();
    EXPECT_NE(now, last);
    last = now;
  }
}

TEST(Alternation, EmptyThrows) {
  csp::Alternation alt{};
  EXPECT_THROW(alt.select(), csp::Error);
  std::vector<csp::InputGuard<int>> none;
  EXPECT_THROW(csp::AltSelect(none), csp::Error);
}

TEST(AltSelect, OverAVectorOfGuards) {
  std::vector<csp::Channel<int>> channels(5);
  std::vector<csp::Process<>> writers;
  std::vector<csp::InputGuard<int>> guards;
  for (int i = 0; i < 5; ++i) {
    writers.push_back(Writer(-channels[i], i));
    guards.emplace_back(+channels[i]);
  }
  auto Select = csp::Process<std::vector<std::size_t>>([&] {
    std::vector<std::size_t> got;
    for (int i = 0; i < 5; ++i) {
      auto r = csp::AltSelect(guards);
      EXPECT_EQ(r.value<int>(), static_cast<int>(r.index()));
      got.push_back(r.index());
    }
    return got;
  });
  auto [w, got] = csp::Parallel(csp::Process<>([&] { csp::Parallel(writers); }), std::move(Select));
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::size_t>{0, 1, 2, 3, 4}));
}

TEST(Guards, RetiredEndThrowsRetire) {
  csp::Channel<int> c;
  auto in = +c;
  auto keep = +c;  // the channel itself stays open: only this end has left
  csp::retire(in);
  EXPECT_THROW(csp::AltSelect(csp::InputGuard(in), csp::SkipGuard()), csp::ChannelRetireException);
  auto out = -c;
  auto keep_out = -c;
  csp::retire(out);
  EXPECT_THROW(csp::AltSelect(csp::OutputGuard(out, 1), csp::SkipGuard()),
               csp::ChannelRetireException);
}

TEST(Guards, RetiredChannelThrowsRetire) {
  csp::Channel<int> c;
  auto in = +c;
  auto out = -c;
  csp::retire(out);
  EXPECT_THROW(csp::PriSelect(csp::InputGuard(in), csp::SkipGuard()), csp::ChannelRetireException);
}

TEST(Guards, PoisonWakesAProcessParkedInAnAlternation) {
  csp::Channel<int> a, b;
  auto ina = +a;
  auto inb = +b;
  auto Chooser = csp::process([](csp::ChannelEndRead<int> a, csp::ChannelEndRead<int> b) {
    try {
      csp::AltSelect(csp::InputGuard(a), csp::InputGuard(b));
    } catch (const csp::ChannelPoisonException&) {
      return true;
    }
    return false;
  });
  auto p = Chooser(ina, inb);
  p.start();
  ASSERT_TRUE(csp_test::readers_waiting(ina));
  ASSERT_TRUE(csp_test::readers_waiting(inb));
  a.poison();
  ASSERT_TRUE(p.join(10s));
  EXPECT_TRUE(p.result());
  EXPECT_EQ(inb.core_ptr()->stats().waiting_readers, 0u) << "the other offer was not withdrawn";
}

TEST(Guards, TerminateWakesAProcessParkedInAnAlternation) {
  csp::Channel<int> a;
  auto in = +a;
  auto p = csp::process([](csp::ChannelEndRead<int> in) {
    csp::AltSelect(csp::InputGuard(in), csp::TimeoutGuard(60s));
  })(in);
  p.start();
  ASSERT_TRUE(csp_test::readers_waiting(in));
  p.terminate();
  ASSERT_TRUE(p.join(10s));
  EXPECT_EQ(p.exitcode(), -15);
}

}  // namespace
