// A served Manager's named Barrier, Array, Condition and Namespace, used by real child processes
// through csp::Manager(name, Connect): the same objects, with the served ones' parties and sizes.
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <numeric>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <csp/csp.hpp>

#include "helpers.hpp"

namespace {

using namespace std::chrono_literals;

const std::string key = "named-test-key";

// One served port for the whole binary: csp::serve keeps this runtime serving for good.
int served_port() {
  static const int port = csp::serve(0, {.auth_key = key});
  return port;
}

csp::Manager connect(const std::string& manager, int port) {
  return csp::Manager(manager, csp::Connect{"127.0.0.1", static_cast<std::uint16_t>(port), key});
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

auto MeetAt = csp::multiprocess([](int port) {
  csp::Barrier b = connect("meeting", port).barrier("b");  // for as many as the served one
  std::size_t index = b.wait(30s);
  return std::vector<std::size_t>{index, b.parties()};
});
auto MeetHere = csp::process([](csp::Barrier b) { return b.wait(30s); });

TEST(NamedBarrier, ReleasesTheServingProcessAndTwoConnectedOnes) {
  csp::Manager m("meeting");
  auto [one, two, here] = csp::Parallel(MeetAt(served_port()), MeetAt(served_port()), MeetHere(m.barrier("b", 3)));
  ASSERT_EQ(one.size(), 2u);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(one[1], 3u);
  EXPECT_EQ(two[1], 3u);
  EXPECT_EQ((std::set<std::size_t>{one[0], two[0], here}), (std::set<std::size_t>{0, 1, 2}));
  EXPECT_FALSE(m.barrier("b").broken());
}

auto WriteSquares = csp::multiprocess([](int port) {
  csp::Array<long> a = connect("grid", port).array<long>("a");
  for (std::size_t i = 0; i < a.size(); ++i) a.set(i, static_cast<long>(i * i));
});
auto ReadGrid = csp::multiprocess([](int port) { return connect("grid", port).array<long>("a").snapshot(); });

TEST(NamedArray, WrittenByOneProcessReadByAnother) {
  csp::Manager m("grid");
  csp::Array<long> a = m.array<long>("a", 5);
  csp::Parallel(WriteSquares(served_port()));
  auto [seen] = csp::Parallel(ReadGrid(served_port()));
  EXPECT_EQ(seen, (std::vector<long>{0, 1, 4, 9, 16}));
  EXPECT_EQ(a.snapshot(), seen);
}

// What a connected manager's handles know without asking, and what it refuses.
auto Measure = csp::multiprocess([](int port) {
  csp::Manager m = connect("sizes", port);
  std::vector<std::string> seen;
  seen.push_back(std::to_string(m.barrier("b").parties()));
  seen.push_back(std::to_string(m.array<double>("a").size()));
  seen.push_back(std::to_string(m.queue<int>("q", 7).maxsize()));  // made with 2 where served
  seen.push_back(std::to_string(m.array<double>("a", 4).size()));
  seen.push_back(attempt([&] { return std::to_string(m.barrier("b", 2).parties()); }));
  seen.push_back(attempt([&] { return std::to_string(m.array<double>("a", 5).size()); }));
  seen.push_back(attempt([&] { return std::to_string(m.array<int>("a").size()); }));
  seen.push_back(attempt([&] { return std::to_string(m.barrier("none").parties()); }));
  return seen;
});

TEST(NamedObjects, ConnectedHandlesHaveTheServedPartiesSizeAndMaxsize) {
  csp::Manager m("sizes");
  m.barrier("b", 3);
  m.array<double>("a", 4);
  m.queue<int>("q", 2);
  auto [seen] = csp::Parallel(Measure(served_port()));
  ASSERT_EQ(seen.size(), 8u);
  EXPECT_EQ(seen[0], "3");
  EXPECT_EQ(seen[1], "4");
  EXPECT_EQ(seen[2], "2");
  EXPECT_EQ(seen[3], "4");
  EXPECT_EQ(seen[4], "error: object 'b' of manager 'sizes' has 3 parties, not 2");
  EXPECT_EQ(seen[5], "error: object 'a' of manager 'sizes' has 4 elements, not 5");
  EXPECT_TRUE(contains(seen[6], "object 'a' of manager 'sizes' is a 'Array<f64>', not a 'Array<i32>'")) << seen[6];
  EXPECT_TRUE(contains(seen[7], "manager 'sizes' has no object 'none'")) << seen[7];
}

TEST(NamedObjects, LocalNamesFindTheSameObjectAndSayWhatMakingOneTakes) {
  csp::Manager m("local-sync");
  EXPECT_EQ(m.barrier("b", 2).parties(), 2u);
  EXPECT_EQ(m.barrier("b").parties(), 2u);
  m.array<int>("a", 3).set(1, 7);
  EXPECT_EQ(m.array<int>("a").get(1), 7);
  m.namespace_("ns").set("x", 1);
  EXPECT_EQ(m.namespace_("ns").get<int>("x"), 1);
  csp::Condition c = m.condition("c");
  std::unique_lock held(c);
  EXPECT_FALSE(m.condition("c").wait(1ms));  // its lock is held, by this process: the same one
  auto error = [](auto f) {
    try {
      f();
      return std::string("no error");
    } catch (const csp::Error& e) {
      return std::string(e.what());
    }
  };
  EXPECT_EQ(error([&] { m.barrier("b", 5); }), "object 'b' of manager 'local-sync' has 2 parties, not 5");
  EXPECT_EQ(error([&] { m.barrier("new"); }),
            "manager 'local-sync' has no object 'new', and making it takes its parties");
  EXPECT_EQ(error([&] { m.array<int>("new"); }),
            "manager 'local-sync' has no object 'new', and making it takes its elements");
  EXPECT_EQ(error([&] { m.array<double>("a"); }),
            "object 'a' of manager 'local-sync' is a 'Array<i32>', not a 'Array<f64>'");
  EXPECT_EQ(error([&] { m.namespace_("c"); }),
            "object 'c' of manager 'local-sync' is a 'Condition', not a 'Namespace'");
}

// Python's condition example across processes: a producer and a consumer, each connected to the
// served condition "ready" and value "buffer", which holds at most two items.
auto ProduceItems = csp::multiprocess([](int port, int n) {
  csp::Manager m = connect("kitchen", port);
  csp::Condition ready = m.condition("ready");
  auto buffer = m.value<std::vector<int>>("buffer");
  for (int i = 0; i < n; ++i) {
    std::unique_lock lock(ready);
    if (!ready.wait_for([&] { return buffer.get().size() < 2; }, 30s)) throw std::runtime_error("no room came");
    std::vector<int> items = buffer.get();
    items.push_back(i);
    buffer.set(items);
    ready.notify();
  }
});
auto ConsumeItems = csp::multiprocess([](int port, int n) {
  csp::Manager m = connect("kitchen", port);
  csp::Condition ready = m.condition("ready");
  auto buffer = m.value<std::vector<int>>("buffer");
  std::vector<int> got;
  while (static_cast<int>(got.size()) < n) {
    std::unique_lock lock(ready);
    if (!ready.wait_for([&] { return !buffer.get().empty(); }, 30s)) throw std::runtime_error("no item came");
    std::vector<int> items = buffer.get();
    buffer.set({});
    got.insert(got.end(), items.begin(), items.end());
    ready.notify();
  }
  return got;
});
// Whether it could take the condition's lock at once.
auto TryTake = csp::multiprocess([](int port) {
  csp::Condition ready = connect("kitchen", port).condition("ready");
  bool taken = ready.acquire(false);
  if (taken) ready.release();
  return taken;
});

TEST(NamedCondition, ProducerAndConsumerInOtherProcessesShareItsLock) {
  csp::Manager m("kitchen");
  csp::Condition ready = m.condition("ready");
  m.value<std::vector<int>>("buffer");
  constexpr int n = 50;
  auto [got, produced] = csp::Parallel(ConsumeItems(served_port(), n), ProduceItems(served_port(), n));
  std::vector<int> expected(n);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(got, expected);
  {
    std::lock_guard held(ready);
    auto [taken] = csp::Parallel(TryTake(served_port()));
    EXPECT_FALSE(taken);
  }
  auto [taken] = csp::Parallel(TryTake(served_port()));
  EXPECT_TRUE(taken);
}

auto SetNotes = csp::multiprocess([](int port) {
  csp::Namespace ns = connect("notes", port).namespace_("ns");
  ns.set("count", ns.get<int>("count") + 1);
  ns.set("label", "from a child");
});
auto ReadNotes = csp::multiprocess([](int port) {
  csp::Namespace ns = connect("notes", port).namespace_("ns");
  return ns.get<std::string>("label") + " " + std::to_string(ns.get<int>("count"));
});

TEST(NamedNamespace, SetInOneProcessReadInAnother) {
  csp::Manager m("notes");
  csp::Namespace ns = m.namespace_("ns");
  ns.set("count", 41);
  csp::Parallel(SetNotes(served_port()));
  auto [read] = csp::Parallel(ReadNotes(served_port()));
  EXPECT_EQ(read, "from a child 42");
  EXPECT_EQ(ns.get<std::string>("label"), "from a child");
}

}  // namespace
