// Rendezvous channels: any-to-any delivery, retire and poison (PyCSP's commtest and poisontest),
// names, misuse errors, move-only messages.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "../framework/test_support.hpp"

namespace {

using csp_test::drain;
using namespace std::chrono_literals;

auto Drain = csp::process([](csp::ChannelEndRead<int> in) { return drain(in); });

/// Writes `first`, first+1, ... (n of them), then retires.
auto Counter = csp::process([](csp::ChannelEndWrite<int> out, int first, int n) {
  for (int i = 0; i < n; ++i) out(first + i);
  csp::retire(out);
});

TEST(Channel, RendezvousKeepsOrder) {
  csp::Channel<int> c;
  auto [w, got] = csp::Parallel(Counter(-c, 0, 100), Drain(+c));
  std::vector<int> expected(100);
  for (int i = 0; i < 100; ++i) expected[i] = i;
  EXPECT_EQ(got, expected);
}

TEST(Channel, WriteBlocksUntilTaken) {
  csp::Channel<int> c;
  auto in = c.reader();
  auto w = Counter(-c, 5, 1);
  w.start();
  ASSERT_TRUE(csp_test::writers_waiting(in));
  EXPECT_FALSE(w.join(50ms));  // nobody has read: the write cannot have completed
  EXPECT_EQ(in(), 5);
  EXPECT_TRUE(w.join(10s));
}

TEST(Channel, AnyToAnyDeliversEachMessageOnce) {
  csp::Channel<int> c;
  std::vector<csp::Process<>> writers;
  for (int w = 0; w < 4; ++w) writers.push_back(Counter(-c, w * 10, 10));
  // Writers and readers each in a nested Parallel, since their result types differ.
  auto [_, got] = csp::Parallel(
      csp::Process<>([&] { csp::Parallel(writers); }),
      csp::Process<std::vector<int>>([&] {
        std::vector<csp::Process<std::vector<int>>> rs;
        rs.push_back(Drain(+c));
        rs.push_back(Drain(+c));
        std::vector<int> all;
        for (auto& part : csp::Parallel(rs)) all.insert(all.end(), part.begin(), part.end());
        return all;
      }));
  std::sort(got.begin(), got.end());
  std::vector<int> expected(40);
  for (int i = 0; i < 40; ++i) expected[i] = i;
  EXPECT_EQ(got, expected);
}

TEST(Channel, ReaderRetiresOnlyAfterEveryWriterRetired) {
  csp::Channel<int> c;
  csp::Channel<int> go;
  // The first writer retires, then lets the second go: the reader must still get its message.
  auto First = csp::process([](csp::ChannelEndWrite<int> out, csp::ChannelEndWrite<int> go) {
    out(1);
    csp::retire(out);
    go(0);
  });
  auto Second = csp::process([](csp::ChannelEndWrite<int> out, csp::ChannelEndRead<int> go) {
    go();
    out(2);
    csp::retire(out);
  });
  auto [a, b, got] = csp::Parallel(First(-c, -go), Second(-c, +go), Drain(+c));
  EXPECT_EQ(got, (std::vector<int>{1, 2}));
}

TEST(Channel, ReaderRetireEndsWriter) {
  csp::Channel<int> c;
  auto Writer = csp::process([](csp::ChannelEndWrite<int> out) {
    int written = 0;
    try {
      for (;;) {
        out(written);
        ++written;
      }
    } catch (const csp::ChannelRetireException&) {
    }
    return written;
  });
  auto Reader = csp::process([](csp::ChannelEndRead<int> in) {
    std::vector<int> got{in(), in(), in()};
    csp::retire(in);
    return got;
  });
  auto [written, got] = csp::Parallel(Writer(-c), Reader(+c));
  EXPECT_EQ(written, 3);
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2}));
}

class PoisonAfter : public testing::TestWithParam<int> {};

TEST_P(PoisonAfter, WriterPoisonEndsReaderAfterWhatWasSent) {
  const int n = GetParam();
  csp::Channel<int> c;
  auto Writer = csp::process([n](csp::ChannelEndWrite<int> out) {
    for (int i = 0; i < n; ++i) out(i);
    csp::poison(out);
  });
  auto Reader = csp::process([](csp::ChannelEndRead<int> in) {
    std::vector<int> got;
    try {
      for (;;) got.push_back(in());
    } catch (const csp::ChannelPoisonException&) {
      return got;
    }
  });
  auto [w, got] = csp::Parallel(Writer(-c), Reader(+c));
  EXPECT_EQ(got.size(), static_cast<std::size_t>(n));
}

TEST_P(PoisonAfter, ReaderPoisonEndsWriter) {
  const int n = GetParam();
  csp::Channel<int> c;
  auto Writer = csp::process([](csp::ChannelEndWrite<int> out) {
    int written = 0;
    try {
      for (;; ++written) out(written);
    } catch (const csp::ChannelPoisonException&) {
      return written;
    }
  });
  auto Reader = csp::process([n](csp::ChannelEndRead<int> in) {
    for (int i = 0; i < n; ++i) in();
    csp::poison(in);
  });
  auto [written, r] = csp::Parallel(Writer(-c), Reader(+c));
  EXPECT_EQ(written, n);
}

INSTANTIATE_TEST_SUITE_P(Messages, PoisonAfter, testing::Values(0, 1, 2));

TEST(Channel, PoisonedChannelFailsEveryLaterOperation) {
  csp::Channel<int> c;
  auto in = c.reader();
  auto out = c.writer();
  csp::poison(in);
  EXPECT_THROW(out(1), csp::ChannelPoisonException);
  EXPECT_THROW(in(), csp::ChannelPoisonException);
  EXPECT_THROW(c.writer()(1), csp::ChannelPoisonException);  // also for ends joined later
}

TEST(Channel, FiftyWritersRacingRetire) {
  csp::Channel<int> c;
  std::vector<csp::Process<>> writers;
  for (int i = 0; i < 50; ++i) writers.push_back(Counter(-c, i, 1));
  auto [w, got] = csp::Parallel(csp::Process<>([&] { csp::Parallel(writers); }), Drain(+c));
  std::sort(got.begin(), got.end());
  std::vector<int> expected(50);
  for (int i = 0; i < 50; ++i) expected[i] = i;
  EXPECT_EQ(got, expected);
}

TEST(Channel, EachWriterEndJoinsSeparately) {
  csp::Channel<int> c;
  auto Seven = csp::process([](csp::ChannelEndWrite<int> out) {
    out(7);
    csp::retire(out);
  });
  auto [a, b, d, got] = csp::Parallel(Seven(c.writer()), Seven(c.writer()), Seven(c.writer()),
                                      Drain(c.reader()));
  EXPECT_EQ(got, (std::vector<int>{7, 7, 7}));
}

// A stage lets ChannelPoisonException escape: the process then poisons its argument ends, so
// the poison the sink injects travels back through every stage to the source.
TEST(Channel, PoisonPropagatesThroughPipeline) {
  auto Source = csp::process([](csp::ChannelEndWrite<int> out) {
    for (int i = 0;; ++i) out(i);
  });
  auto Stage = csp::process([](csp::ChannelEndRead<int> in, csp::ChannelEndWrite<int> out) {
    for (;;) out(in() + 100);
  });
  auto Sink = csp::process([](csp::ChannelEndRead<int> in) {
    std::vector<int> got;
    for (int i = 0; i < 10; ++i) got.push_back(in());
    csp::poison(in);
    return got;
  });
  csp::Channel<int> c0, c1, c2, c3;
  auto source = Source(-c0);
  auto s1 = Stage(+c0, -c1);
  auto s2 = Stage(+c1, -c2);
  auto s3 = Stage(+c2, -c3);
  auto sink = Sink(+c3);
  auto [a, b, d, e, got] = csp::Parallel(std::move(source), std::move(s1), std::move(s2),
                                         std::move(s3), std::move(sink));
  std::vector<int> expected(10);
  for (int i = 0; i < 10; ++i) expected[i] = i + 300;
  EXPECT_EQ(got, expected);
  for (auto* p : {&source, &s1, &s2, &s3}) EXPECT_EQ(p->exitcode(), 0) << p->name();
  EXPECT_THROW(c0.writer()(0), csp::ChannelPoisonException);
}

TEST(Channel, NamedChannel) {
  csp::Channel<int> c("ChannelTestA");
  EXPECT_EQ(c.name(), "ChannelTestA");
  EXPECT_EQ(c.reader().channel_name(), "ChannelTestA");
}

TEST(Channel, DuplicateNameThrows) {
  csp::Channel<int> c("ChannelTestDup");
  EXPECT_THROW(csp::Channel<int>("ChannelTestDup"), csp::Error);
  EXPECT_THROW(csp::Channel<double>("ChannelTestDup", csp::Buffer{2}), csp::Error);
}

TEST(Channel, NameIsFreeAgainAfterDestruction) {
  { csp::Channel<int> c("ChannelTestReuse"); }
  csp::Channel<int> again("ChannelTestReuse");
  EXPECT_EQ(again.name(), "ChannelTestReuse");
}

TEST(Channel, AnonymousNamesAreUnique) {
  std::vector<csp::Channel<int>> channels(100);
  std::vector<std::string> names;
  for (auto& c : channels) names.push_back(c.name());
  for (const auto& n : names) EXPECT_FALSE(n.empty());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
}

/// Runs `op` expecting csp::Error whose message names `channel`.
template <class Op>
void expect_error_naming(Op op, const std::string& channel) {
  try {
    op();
    ADD_FAILURE() << "no csp::Error";
  } catch (const csp::Error& e) {
    EXPECT_NE(std::string(e.what()).find(channel), std::string::npos) << e.what();
  }
}

TEST(Channel, MovedFromEndThrowsErrorNamingChannel) {
  csp::Channel<int> c("ChannelTestMoved");
  auto in = c.reader();
  auto out = c.writer();
  auto in2 = std::move(in);
  auto out2 = std::move(out);
  expect_error_naming([&] { in(); }, "ChannelTestMoved");
  expect_error_naming([&] { out(1); }, "ChannelTestMoved");
  expect_error_naming([&] { in.retire(); }, "ChannelTestMoved");
  expect_error_naming([&] { out.poison(); }, "ChannelTestMoved");
}

TEST(Channel, EndUsedAfterChannelDestroyedThrowsError) {
  std::optional<csp::Channel<int>> c(std::in_place, "ChannelTestGone");
  auto in = c->reader();
  auto out = c->writer();
  c.reset();
  expect_error_naming([&] { in(); }, "ChannelTestGone");
  expect_error_naming([&] { out(1); }, "ChannelTestGone");
}

TEST(Channel, DestroyingChannelWakesParkedProcessWithError) {
  std::optional<csp::Channel<int>> c(std::in_place, "ChannelTestDestroyed");
  auto in = c->reader();
  auto Reader = csp::process([](csp::ChannelEndRead<int> in) -> std::string {
    try {
      in();
    } catch (const csp::Error& e) {
      return e.what();
    }
    return "read succeeded";
  });
  auto p = Reader(in);
  p.start();
  ASSERT_TRUE(csp_test::readers_waiting(in));
  c.reset();
  ASSERT_TRUE(p.join(10s));
  EXPECT_NE(p.result().find("ChannelTestDestroyed"), std::string::npos);
}

TEST(Channel, MovedFromChannelThrowsError) {
  csp::Channel<int> a("ChannelTestMovedChannel");
  csp::Channel<int> b = std::move(a);
  EXPECT_THROW(a.name(), csp::Error);
  EXPECT_THROW(a.reader(), csp::Error);
  EXPECT_EQ(b.name(), "ChannelTestMovedChannel");
}

TEST(Channel, MoveAssignmentDestroysTheOldChannel) {
  csp::Channel<int> a("ChannelTestOverwritten");
  auto old_end = a.writer();
  a = csp::Channel<int>();
  expect_error_naming([&] { old_end(1); }, "ChannelTestOverwritten");
  csp::Channel<int> again("ChannelTestOverwritten");  // its name is free again
}

TEST(Channel, RetiredEndMayStillPoison) {
  csp::Channel<int> c;
  auto in = +c;
  auto out = -c;
  auto other = -c;
  csp::retire(out);
  csp::poison(out);
  EXPECT_THROW(in(), csp::ChannelPoisonException);
}

TEST(Channel, RetireTwiceIsNoOp) {
  csp::Channel<int> c;
  auto a = c.writer();
  auto b = c.writer();
  csp::retire(a);
  EXPECT_NO_THROW(csp::retire(a));
  EXPECT_NO_THROW(csp::retire(a, a));
  // Had the second retire counted, b's join would be the last and the reader would be retired.
  auto [w, got] = csp::Parallel(Counter(b, 3, 1), Drain(+c));
  EXPECT_EQ(got, (std::vector<int>{3}));
}

TEST(Channel, CopiesOfAnEndShareOneJoin) {
  csp::Channel<int> c;
  auto in = c.reader();
  auto out = c.writer();
  auto copy = out;
  csp::retire(copy);
  EXPECT_TRUE(out.retired());
  EXPECT_THROW(in(), csp::ChannelRetireException);  // the only writer join has left
}

TEST(Channel, RetiredEndThrowsRetire) {
  csp::Channel<int> c;
  auto in = c.reader();
  auto in_other = c.reader();
  auto out = c.writer();
  auto out_other = c.writer();
  csp::retire(in, out);
  EXPECT_THROW(in(), csp::ChannelRetireException);
  EXPECT_THROW(out(1), csp::ChannelRetireException);
}

TEST(Channel, MoveOnlyMessages) {
  csp::Channel<std::unique_ptr<int>> c;
  auto Writer = csp::process([](csp::ChannelEndWrite<std::unique_ptr<int>> out) {
    for (int i = 0; i < 3; ++i) out(std::make_unique<int>(i));
    csp::retire(out);
  });
  auto Reader = csp::process([](csp::ChannelEndRead<std::unique_ptr<int>> in) {
    std::vector<int> got;
    for (auto& p : drain(in)) got.push_back(*p);
    return got;
  });
  auto [w, got] = csp::Parallel(Writer(-c), Reader(+c));
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2}));
}

TEST(Channel, ExceptionHierarchy) {
  static_assert(std::is_base_of_v<csp::ChannelException, csp::ChannelPoisonException>);
  static_assert(std::is_base_of_v<csp::ChannelException, csp::ChannelRetireException>);
  static_assert(std::is_base_of_v<std::logic_error, csp::Error>);
  csp::Channel<int> poisoned, retired;
  auto p = poisoned.reader();
  csp::poison(p);
  EXPECT_THROW(p(), csp::ChannelException);
  auto w = retired.writer();
  auto r = retired.reader();
  csp::retire(w);
  EXPECT_THROW(r(), csp::ChannelException);
}

TEST(Channel, MainThreadTalksToProcesses) {
  csp::Channel<int> to, from;
  auto Doubler = csp::process([](csp::ChannelEndRead<int> in, csp::ChannelEndWrite<int> out) {
    for (int i = 0; i < 3; ++i) out(2 * in());
  });
  auto p = Doubler(+to, -from);
  p.start();
  auto out = -to;
  auto in = +from;
  std::vector<int> got;
  for (int i = 1; i <= 3; ++i) {
    out(i);
    got.push_back(in());
  }
  ASSERT_TRUE(p.join(10s));
  EXPECT_EQ(got, (std::vector<int>{2, 4, 6}));
}

TEST(Channel, PlainThreadsTalkOverChannel) {
  csp::Channel<int> c;
  auto out = -c;
  std::thread t([out]() mutable {
    for (int i = 0; i < 100; ++i) out(i);
    csp::retire(out);
  });
  std::vector<int> got = drain(+c);
  t.join();
  ASSERT_EQ(got.size(), 100u);
  EXPECT_EQ(got.back(), 99);
}

}  // namespace
