// Buffered channels: a writer blocks only when the buffer is full; retire and writer-side poison
// let readers drain what is buffered, reader-side poison is immediate (PyCSP's buffertest).

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "../framework/test_support.hpp"

namespace {

using namespace std::chrono_literals;
using csp_test::drain;

/// Fills a buffer of three without any reader, then writes a fourth.
auto Filler = csp::process([](csp::ChannelEndWrite<int> out, csp::ChannelEndWrite<int> progress) {
  for (int i = 0; i < 4; ++i) {
    out(i);
    progress(i);
  }
});

// A third party watches the writer's progress: three writes complete with no reader, the fourth
// only once a reader has made room.
TEST(Buffered, WriterBlocksOnlyWhenFull) {
  csp::Channel<int> c(csp::Buffer{3});
  csp::Channel<int> progress;
  auto Observer = csp::process([](csp::ChannelEndRead<int> progress, csp::ChannelEndRead<int> in) {
    std::vector<int> seen;
    for (int i = 0; i < 3; ++i) seen.push_back(progress());
    // The fourth write must not complete while three messages are held.
    auto r = csp::PriSelect(csp::InputGuard(progress), csp::TimeoutGuard(100ms));
    bool fourth_blocked = r.index() == 1;
    seen.push_back(in());  // makes room
    seen.push_back(progress());
    return std::pair{fourth_blocked, seen};
  });
  auto [f, observed] = csp::Parallel(Filler(-c, -progress), Observer(+progress, +c));
  auto [fourth_blocked, seen] = observed;
  EXPECT_TRUE(fourth_blocked);
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 0, 3}));
  EXPECT_EQ(c.reader().core_ptr()->stats().buffered, 3u);  // 1, 2, 3
}

TEST(Buffered, HoldsExactlyCapacity) {
  csp::Channel<int> c(csp::Buffer{3});
  auto in = +c;
  auto Three = csp::process([](csp::ChannelEndWrite<int> out) {
    for (int i = 0; i < 3; ++i) out(i);
  });
  auto p = Three(-c);
  p.start();
  ASSERT_TRUE(p.join(10s)) << "three writes to a buffer of three blocked with no reader";
  auto stats = in.core_ptr()->stats();
  EXPECT_EQ(stats.buffered, 3u);
  EXPECT_EQ(stats.waiting_writers, 0u);
  EXPECT_EQ(in(), 0);
  EXPECT_EQ(in(), 1);
  EXPECT_EQ(in(), 2);
}

TEST(Buffered, ReadersDrainAfterWriterRetires) {
  csp::Channel<int> c(csp::Buffer{5});
  auto out = -c;
  auto in = +c;
  for (int i = 0; i < 3; ++i) out(i);
  csp::retire(out);
  EXPECT_EQ(drain(in), (std::vector<int>{0, 1, 2}));
  EXPECT_THROW(in(), csp::ChannelRetireException);
}

TEST(Buffered, ReadersDrainAfterWriterPoisons) {
  csp::Channel<int> c(csp::Buffer{5});
  auto out = -c;
  auto in = +c;
  for (int i = 0; i < 3; ++i) out(i);
  csp::poison(out);
  EXPECT_THROW(out(3), csp::ChannelPoisonException);  // writers fail at once
  EXPECT_EQ(in(), 0);
  EXPECT_EQ(in(), 1);
  EXPECT_EQ(in(), 2);
  EXPECT_THROW(in(), csp::ChannelPoisonException);
}

TEST(Buffered, ReaderPoisonIsImmediate) {
  csp::Channel<int> c(csp::Buffer{5});
  auto out = -c;
  auto in = +c;
  for (int i = 0; i < 3; ++i) out(i);
  csp::poison(in);
  EXPECT_THROW(in(), csp::ChannelPoisonException);
  EXPECT_THROW(out(3), csp::ChannelPoisonException);
}

TEST(Buffered, PoisonWakesWriterParkedOnFullBuffer) {
  csp::Channel<int> c(csp::Buffer{1});
  auto in = +c;
  auto Writer = csp::process([](csp::ChannelEndWrite<int> out) {
    int written = 0;
    try {
      for (;; ++written) out(written);
    } catch (const csp::ChannelPoisonException&) {
    }
    return written;
  });
  auto p = Writer(-c);
  p.start();
  ASSERT_TRUE(csp_test::writers_waiting(in));
  csp::poison(in);
  ASSERT_TRUE(p.join(10s));
  EXPECT_EQ(p.result(), 1);
}

TEST(Buffered, ReaderRetireWakesWriterParkedOnFullBuffer) {
  csp::Channel<int> c(csp::Buffer{2});
  auto in = +c;
  auto Writer = csp::process([](csp::ChannelEndWrite<int> out) {
    int written = 0;
    try {
      for (;; ++written) out(written);
    } catch (const csp::ChannelRetireException&) {
    }
    return written;
  });
  auto p = Writer(-c);
  p.start();
  ASSERT_TRUE(csp_test::writers_waiting(in));
  csp::retire(in);
  ASSERT_TRUE(p.join(10s));
  EXPECT_EQ(p.result(), 2);
}

TEST(Buffered, AnyToAnyThroughBuffer) {
  csp::Channel<int> c(csp::Buffer{4});
  auto Writer = csp::process([](csp::ChannelEndWrite<int> out, int first) {
    for (int i = 0; i < 100; ++i) out(first + i);
    csp::retire(out);
  });
  auto Reader = csp::process([](csp::ChannelEndRead<int> in) { return drain(in); });
  auto [a, b, r1, r2] = csp::Parallel(Writer(-c, 0), Writer(-c, 100), Reader(+c), Reader(+c));
  std::vector<int> all = r1;
  all.insert(all.end(), r2.begin(), r2.end());
  std::sort(all.begin(), all.end());
  std::vector<int> expected(200);
  for (int i = 0; i < 200; ++i) expected[i] = i;
  EXPECT_EQ(all, expected);
  // Each writer's messages keep their order whichever reader took them.
  for (const auto* part : {&r1, &r2}) {
    int last_low = -1, last_high = -1;
    for (int v : *part) {
      int& last = v < 100 ? last_low : last_high;
      EXPECT_LT(last, v);
      last = v;
    }
  }
}

TEST(Buffered, MoveOnlyMessages) {
  csp::Channel<std::unique_ptr<int>> c(csp::Buffer{2});
  auto out = -c;
  auto in = +c;
  out(std::make_unique<int>(1));
  out(std::make_unique<int>(2));
  csp::retire(out);
  auto got = drain(in);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(*got[0], 1);
  EXPECT_EQ(*got[1], 2);
}

TEST(Buffered, NamedBufferedChannel) {
  csp::Channel<int> c("BufferedTestNamed", csp::Buffer{3});
  EXPECT_EQ(c.name(), "BufferedTestNamed");
  EXPECT_EQ(c.reader().core_ptr()->capacity(), 3u);
}

}  // namespace
