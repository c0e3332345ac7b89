// Stress: alternating and plain processes racing over four shared rendezvous channels. Every
// message carries a unique id: each written one must be received exactly once, and with poison
// injected at a random point every process must still end, having lost nothing it delivered.

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "../framework/test_support.hpp"

namespace {

using namespace std::chrono_literals;

constexpr int channel_count = 4;
constexpr int writer_count = 8;  // one plain writer per channel, then four alternating ones
constexpr int reader_count = 8;  // likewise

/// Where a process poisons one of its channels: before its `at`-th message (never if -1).
struct Poison {
  int at = -1;
  int channel = 0;
};

template <class End>
void maybe_poison(const Poison& p, int k, std::vector<End>& ends) {
  if (k == p.at) ends[p.channel].poison();
}

// Each body records through its slot (written only by that process, read after it ended) and
// lets channel exceptions escape, so that the process poisons its ends as PyCSP's do.
auto PlainWriter = csp::process(
    [](std::vector<csp::ChannelEndWrite<int>> out, int first, int n, Poison p, int* written) {
      for (int k = 0; k < n; ++k) {
        maybe_poison(p, k, out);
        out[0](first + k);
        *written = k + 1;
      }
    });

auto AltWriter = csp::process(
    [](std::vector<csp::ChannelEndWrite<int>> outs, int first, int n, Poison p, int* written) {
      std::vector<csp::OutputGuard<int>> guards;
      for (int k = 0; k < n; ++k) {
        maybe_poison(p, k, outs);
        guards.clear();
        for (auto& out : outs) guards.emplace_back(out, first + k);
        csp::AltSelect(guards);
        *written = k + 1;
      }
    });

auto PlainReader =
    csp::process([](std::vector<csp::ChannelEndRead<int>> in, Poison p, std::vector<int>* got) {
      for (int k = 0;; ++k) {
        maybe_poison(p, k, in);
        got->push_back(in[0]());
      }
    });

auto AltReader =
    csp::process([](std::vector<csp::ChannelEndRead<int>> ins, Poison p, std::vector<int>* got) {
      std::vector<csp::InputGuard<int>> guards;
      for (auto& in : ins) guards.emplace_back(in);
      for (int k = 0;; ++k) {
        maybe_poison(p, k, ins);
        got->push_back(csp::AltSelect(guards).value<int>());
      }
    });

struct Race {
  explicit Race(int per_writer) : per_writer(per_writer), written(writer_count), received(reader_count) {}

  /// Runs the race with `poison` for process `injector` (writers 0-7, readers 8-15; -1: none).
  /// After the writers have ended the main thread poisons every channel to end the readers.
  void run(int injector = -1, Poison poison = {}) {
    std::vector<csp::Channel<int>> channels(channel_count);
    auto poison_for = [&](int process) { return process == injector ? poison : Poison{}; };
    std::vector<csp::Process<>> writers, readers;
    for (int w = 0; w < writer_count; ++w) {
      std::vector<csp::ChannelEndWrite<int>> ends;
      for (int c = 0; c < channel_count; ++c)
        if (w >= channel_count || c == w) ends.push_back(channels[c].writer());
      int first = w * per_writer;
      writers.push_back(w < channel_count
                            ? PlainWriter(ends, first, per_writer, poison_for(w), &written[w])
                            : AltWriter(ends, first, per_writer, poison_for(w), &written[w]));
    }
    for (int r = 0; r < reader_count; ++r) {
      std::vector<csp::ChannelEndRead<int>> ends;
      for (int c = 0; c < channel_count; ++c)
        if (r >= channel_count || c == r) ends.push_back(channels[c].reader());
      Poison p = poison_for(writer_count + r);
      readers.push_back(r < channel_count ? PlainReader(ends, p, &received[r])
                                          : AltReader(ends, p, &received[r]));
    }
    for (auto& p : writers) p.start();
    for (auto& p : readers) p.start();
    auto deadline = std::chrono::steady_clock::now() + 45s;
    ended = join_all(writers, deadline);
    for (auto& c : channels) c.poison();
    ended = join_all(readers, deadline) && ended;
    if (!ended) {  // end them anyway, so that the test reports instead of hanging
      for (auto* group : {&writers, &readers})
        for (auto& p : *group)
          if (p.is_alive()) {
            hung += " " + p.name();
            p.terminate();
          }
      join_all(writers, deadline + 10s);
      join_all(readers, deadline + 10s);
    }
  }

  static bool join_all(std::vector<csp::Process<>>& procs,
                       std::chrono::steady_clock::time_point deadline) {
    bool all = true;
    for (auto& p : procs) all = p.join(deadline - std::chrono::steady_clock::now()) && all;
    return all;
  }

  /// Every message written is received exactly once, and nothing else is.
  void check() const {
    ASSERT_TRUE(ended) << "processes still running:" << hung;
    const int total = writer_count * per_writer;
    std::vector<int> seen(total);
    int foreign = 0;
    for (const auto& got : received)
      for (int id : got) {
        if (id < 0 || id >= total) ++foreign;
        else ++seen[id];
      }
    EXPECT_EQ(foreign, 0);
    int lost = 0, duplicated = 0, phantom = 0;
    for (int w = 0; w < writer_count; ++w)
      for (int k = 0; k < per_writer; ++k) {
        int n = seen[w * per_writer + k];
        if (k < written[w]) {
          lost += n == 0;
          duplicated += n > 1;
        } else {
          phantom += n != 0;  // received, though its write failed
        }
      }
    EXPECT_EQ(lost, 0);
    EXPECT_EQ(duplicated, 0);
    EXPECT_EQ(phantom, 0);
  }

  int per_writer;
  std::vector<int> written;
  std::vector<std::vector<int>> received;
  bool ended = false;
  std::string hung;
};

TEST(AltRace, EveryMessageReceivedOnce) {
  Race race((csp_test::sanitized ? 200'000 : 1'000'000) / writer_count);  // a million unsanitized
  race.run();
  race.check();
  for (int w = 0; w < writer_count; ++w) EXPECT_EQ(race.written[w], race.per_writer);
  for (int r = 0; r < reader_count; ++r) EXPECT_GT(race.received[r].size(), 0u) << "reader " << r;
}

TEST(AltRace, RandomPoisonEndsEveryProcess) {
  constexpr int runs = 30;
  int cut_short = 0;  // runs in which the poison stopped some writer early
  const char* fixed = std::getenv("CSP_STRESS_SEED");  // to replay a failure
  std::random_device device;
  for (int run = 0; run < runs; ++run) {
    unsigned seed = fixed ? static_cast<unsigned>(std::stoul(fixed)) : device();
    SCOPED_TRACE("seed " + std::to_string(seed) + " (replay with CSP_STRESS_SEED=" +
                 std::to_string(seed) + ")");
    std::mt19937 rng(seed);
    Race race(csp_test::sanitized ? 4'000 : 20'000);
    int injector = std::uniform_int_distribution<int>(0, writer_count + reader_count - 1)(rng);
    bool alternating = injector % writer_count >= channel_count;
    Poison poison{std::uniform_int_distribution<int>(0, race.per_writer / 2)(rng),
                  alternating ? std::uniform_int_distribution<int>(0, channel_count - 1)(rng) : 0};
    race.run(injector, poison);
    race.check();
    for (int w : race.written) cut_short += w < race.per_writer;
    if (fixed) return;
  }
  EXPECT_GT(cut_short, 0) << "the injected poison never took effect";
}

}  // namespace
