// Shared objects across OS processes: a named Manager served with csp::serve and used by real
// child processes through csp::Manager(name, Connect), and Dict, List and Value handles passed
// to multiprocess children as arguments.
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <csp/csp.hpp>

#include "helpers.hpp"

namespace {

const std::string key = "manager-test-key";

// One served port for the whole binary: csp::serve keeps this runtime serving for good.
std::uint16_t served_port() {
  static const std::uint16_t port = csp::serve(0, {.auth_key = key});
  return port;
}

auto UseInventory = csp::multiprocess([](int port, std::string auth) {
  csp::Manager m("inventory", csp::Connect{"127.0.0.1", static_cast<std::uint16_t>(port), auth});
  auto stock = m.dict<std::string, int>("stock");
  int apples = stock.get("apples");
  stock.set("pears", apples + 2);
  auto log = m.list<std::string>("log");
  log.append("child");
  log.extend({"a", "b"});
  auto total = m.value<long>("total");
  total.set(total.get() + 40);
  std::vector<std::string> seen;
  for (auto& [k, v] : stock.items()) seen.push_back(k + "=" + std::to_string(v));
  seen.push_back(std::to_string(stock.size()) + " entries, " + std::to_string(log.size()) + " logged");
  seen.push_back(attempt([&] { return std::to_string(stock.get("plums")); }));
  seen.push_back(stock.name());
  return seen;
});

TEST(RemoteManager, ChildUsesServedDictListAndValue) {
  // Objects made first, so that the parent's names are not those the child would make afresh.
  std::vector<csp::Event> others(5);
  csp::Manager m("inventory");
  auto stock = m.dict<std::string, int>("stock");
  stock.set("apples", 3);
  m.list<std::string>("log").append("parent");
  m.value<long>("total", 2);
  auto [seen] = csp::Parallel(UseInventory(static_cast<int>(served_port()), key));
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[0], "apples=3");
  EXPECT_EQ(seen[1], "pears=5");
  EXPECT_EQ(seen[2], "2 entries, 4 logged");
  EXPECT_EQ(seen[3], "error: key 'plums' not found in '" + stock.name() + "'");
  EXPECT_EQ(seen[4], stock.name());  // the connected handle bears the served dict's name
  EXPECT_EQ(stock.get("pears"), 5);
  EXPECT_EQ(m.list<std::string>("log").snapshot(), (std::vector<std::string>{"parent", "child", "a", "b"}));
  EXPECT_EQ(m.value<long>("total").get(), 42);
}

// Every way a connected manager refuses: each message, in order.
auto Misuse = csp::multiprocess([](int port, std::string auth) {
  csp::Connect at{"127.0.0.1", static_cast<std::uint16_t>(port), auth};
  csp::Manager m("warehouse", at);
  std::vector<std::string> errors;
  errors.push_back(attempt([&] { return std::to_string(m.list<int>("stock").size()); }));
  errors.push_back(attempt([&] { return std::to_string(m.dict<std::string, int>("nothing").size()); }));
  errors.push_back(attempt([&] {
    return std::to_string(csp::Manager("nobody", at).dict<std::string, int>("stock").size());
  }));
  auto stock = m.dict<std::string, int>("stock");
  errors.push_back(attempt([&] { return std::to_string(stock.update("x", [](int& v) { return ++v; })); }));
  errors.push_back(attempt([&] { return std::to_string(m.dict<std::string, int>().size()); }));
  csp::Value<int> local(0);  // its update function must not wait for another process
  errors.push_back(attempt([&] {
    return std::to_string(local.update([&](int& v) { return v = static_cast<int>(stock.size()); }));
  }));
  csp::Connect wrong{at.host, at.port, "not the key"};
  errors.push_back(attempt([&] { return std::to_string(csp::Manager("warehouse", wrong).value<int>("count").get()); }));
  return errors;
});

TEST(RemoteManager, MisuseIsAnErrorNamingWhat) {
  csp::Manager m("warehouse");
  m.dict<std::string, int>("stock");
  m.value<int>("count");
  auto [errors] = csp::Parallel(Misuse(static_cast<int>(served_port()), key));
  ASSERT_EQ(errors.size(), 7u);
  EXPECT_NE(errors[0].find("object 'stock' of manager 'warehouse' is a 'Dict<string,i32>', not a 'List<i32>'"),
            std::string::npos)
      << errors[0];
  EXPECT_NE(errors[1].find("manager 'warehouse' has no object 'nothing'"), std::string::npos) << errors[1];
  EXPECT_NE(errors[2].find("no manager 'nobody' is served here"), std::string::npos) << errors[2];
  for (int i : {3, 4}) EXPECT_NE(errors[i].find("do not cross"), std::string::npos) << errors[i];
  EXPECT_NE(errors[5].find("inside an update function"), std::string::npos) << errors[5];
  EXPECT_NE(errors[6].find("refused"), std::string::npos) << errors[6];
  auto stock = m.dict<std::string, int>("stock");
  EXPECT_EQ(stock.size(), 0u);  // the update never ran
}

TEST(RemoteManager, NamesFindTheSameObjectLocally) {
  csp::Manager m("local-names");
  m.dict<std::string, int>("d").set("x", 1);
  auto d = m.dict<std::string, int>("d");
  EXPECT_EQ(d.get("x"), 1);
  m.value<int>("v", 7);
  EXPECT_EQ(m.value<int>("v", 100).get(), 7);  // made once; the second initial value is unused
  try {
    m.list<double>("d");
    ADD_FAILURE() << "no error";
  } catch (const csp::Error& e) {
    EXPECT_STREQ(e.what(), "object 'd' of manager 'local-names' is a 'Dict<string,i32>', not a 'List<f64>'");
  }
  EXPECT_THROW(csp::Manager("local-names"), csp::Error);  // names are unique per runtime
}

auto AddKeys = csp::multiprocess([](csp::Dict<std::string, int> d, csp::List<int> l, csp::Value<int> v, int base) {
  for (int i = 0; i < 1000; ++i) {
    d.set(std::to_string(base + i), i);
    l.append(base + i);
  }
  if (base > 0) v.set(v.get() + base);
});

TEST(RemoteManager, HandlesAsMultiprocessArguments) {
  csp::Manager m;  // anonymous: no serve needed
  auto d = m.dict<std::string, int>();
  auto l = m.list<int>();
  csp::Value<int> v(7);
  csp::Parallel(AddKeys(d, l, v, 0), AddKeys(d, l, v, 1000));
  EXPECT_EQ(d.size(), 2000u);
  EXPECT_EQ(l.size(), 2000u);
  std::vector<int> items = l.snapshot();
  std::sort(items.begin(), items.end());
  for (int i = 0; i < 2000; ++i) ASSERT_EQ(items[static_cast<std::size_t>(i)], i);
  EXPECT_EQ(v.get(), 1007);
}

// Adds `n` under the value's lock: the names of the value and of its lock here.
auto AddToTotal = csp::multiprocess([](csp::Value<long> total, long n) {
  std::lock_guard hold(total.get_lock());
  total.set(total.get() + n);
  return std::vector<std::string>{total.name(), total.get_lock().name()};
});

TEST(RemoteManager, ConnectedHandlePassedToAChildIsUsedWhereServed) {
  csp::Manager served("passed");
  served.value<long>("total", 1);
  auto total = csp::Manager("passed", csp::Connect{"127.0.0.1", served_port(), key}).value<long>("total");
  auto [names] = csp::Parallel(AddToTotal(total, 41));
  EXPECT_EQ(served.value<long>("total").get(), 42);
  // The served objects' own names.
  EXPECT_EQ(names, (std::vector<std::string>{total.name(), served.value<long>("total").get_lock().name()}));
}

auto WaitForValue = csp::multiprocess([](csp::Dict<std::string, int> d, csp::Value<int> v) {
  d.set("waiting", 1);
  return v.get();  // waits: the parent holds the value's lock
});

TEST(RemoteManager, ChildKilledMidRequestLeavesTheObjectUsable) {
  csp::Dict<std::string, int> d;
  csp::Value<int> v(1);
  v.get_lock().acquire();
  auto p = WaitForValue(d, v);
  p.start();
  while (!d.contains("waiting")) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  p.terminate();
  p.join();
  v.get_lock().release();
  v.set(2);
  EXPECT_EQ(v.get(), 2);
}

// A program that finds a served manager's locks, event and semaphores by name.
auto UseGate = csp::multiprocess([](int port, std::string auth) {
  csp::Manager m("gate", csp::Connect{"127.0.0.1", static_cast<std::uint16_t>(port), auth});
  auto mutex = m.lock("mutex");
  std::vector<std::string> seen;
  seen.push_back(mutex.acquire(false) ? "took" : "held");  // the parent holds it
  m.event("ready").set();
  mutex.acquire();  // once the parent releases it
  auto slots = m.semaphore("slots");
  slots.acquire();
  seen.push_back(std::to_string(slots.get_value()));
  auto re = m.rlock("re");
  {
    std::lock_guard outer(re);
    std::lock_guard inner(re);  // reentrant here too
  }
  seen.push_back(attempt([&] {
    m.bounded_semaphore("bounded").release();
    return std::string("released");
  }));
  seen.push_back(attempt([&] {
    m.lock("re");
    return std::string("found");
  }));
  seen.push_back(m.event("done").wait(std::chrono::seconds(30)) ? "done" : "no done");
  return seen;  // returns holding "mutex" and one of "slots": its going frees the lock only
});

TEST(RemoteManager, ChildFindsServedLocksEventAndSemaphoresByName) {
  csp::Manager m("gate");
  served_port();
  auto mutex = m.lock("mutex");
  auto ready = m.event("ready");
  auto slots = m.semaphore("slots", 2);
  auto done = m.event("done");  // a connected manager finds objects, it does not make them
  m.rlock("re");
  m.bounded_semaphore("bounded", 1);
  mutex.acquire();
  auto child = UseGate(static_cast<int>(served_port()), key);
  child.start();
  ASSERT_TRUE(ready.wait(std::chrono::seconds(30)));
  EXPECT_TRUE(mutex.locked());  // still the parent's
  mutex.release();
  while (slots.get_value() != 1) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(mutex.locked());  // now the child's: the parent cannot release it
  EXPECT_THROW(mutex.release(), csp::Error);
  done.set();
  child.join();
  std::vector<std::string> seen = child.result();
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[0], "held");
  EXPECT_EQ(seen[1], "1");
  EXPECT_NE(seen[2].find("released more times than acquired"), std::string::npos) << seen[2];
  EXPECT_NE(seen[3].find("object 're' of manager 'gate' is a 'RLock', not a 'Lock'"), std::string::npos) << seen[3];
  EXPECT_EQ(seen[4], "done");
  // The child went holding the lock: it is free again, and its next acquirer is told.
  try {
    mutex.acquire(std::chrono::seconds(30));
    ADD_FAILURE() << "the abandoned lock was not reported";
  } catch (const csp::Error& e) {
    EXPECT_NE(std::string(e.what()).find("went away while holding it"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(mutex.acquire(false));
  mutex.release();
  EXPECT_EQ(slots.get_value(), 1u);  // a semaphore has no holder: the child's unit stays taken
  try {
    m.lock("re");
    ADD_FAILURE() << "no error";
  } catch (const csp::Error& e) {
    EXPECT_STREQ(e.what(), "object 're' of manager 'gate' is a 'RLock', not a 'Lock'");
  }
}

// Python's BaseManager example: a served queue, a producer and a consumer in other processes.
csp::Manager connect_jobs(int port, const std::string& auth) {
  return csp::Manager("jobs", csp::Connect{"127.0.0.1", static_cast<std::uint16_t>(port), auth});
}

auto Produce = csp::multiprocess([](int port, std::string auth) {
  auto q = connect_jobs(port, auth).queue<int>("q");
  for (int i = 1; i <= 1000; ++i) q.put(i);
});

auto Consume = csp::multiprocess([](int port, std::string auth) {
  csp::Manager m = connect_jobs(port, auth);
  auto q = m.queue<int>("q");
  m.value<int>("consumers").set(1);
  std::vector<int> got;
  for (int i = 0; i < 1000; ++i) got.push_back(q.get());
  return got;
});

void expect_each_once(std::vector<int> got) {
  ASSERT_EQ(got.size(), 1000u);
  EXPECT_EQ(std::accumulate(got.begin(), got.end(), 0L), 500500L);
  std::sort(got.begin(), got.end());
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(got[static_cast<std::size_t>(i)], i + 1);
}

TEST(RemoteQueue, ProducerAndConsumerInOtherProcesses) {
  csp::Manager m("jobs");
  auto q = m.queue<int>("q", 10);  // bounded: the producer waits for the consumer too
  m.value<int>("consumers", 0);
  auto [got, done] = csp::Parallel(Consume(static_cast<int>(served_port()), key),
                                   Produce(static_cast<int>(served_port()), key));
  expect_each_once(std::move(got));
  EXPECT_TRUE(q.empty());
}

// A served queue "q" whose get, from a child, waits: a child the test start()s sets "consumers"
// once it has started (or, where it says so, done) what the test waits for.
class RemoteQueueGet : public testing::Test {
 protected:
  // Starts `consumer` and returns once it has set "consumers", and a little more: a get it
  // started just before waits by then, mostly.
  template <class R>
  void start(csp::Process<R>& consumer) {
    consumer.start();
    while (consumers.get() == 0)
      if (consumer.join(std::chrono::milliseconds(5)) && consumers.get() == 0)
        throw std::runtime_error("the child ended first, exit code " + std::to_string(*consumer.exitcode()));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  csp::Manager m{"jobs"};
  csp::Queue<int> q = m.queue<int>("q");
  csp::Value<int> consumers = m.value<int>("consumers", 0);
  csp::Queue<int> go = m.queue<int>("go");  // for a child that waits for the test
};

TEST_F(RemoteQueueGet, ConsumerWaitsBeforeTheProducerStarts) {
  auto consumer = Consume(static_cast<int>(served_port()), key);
  start(consumer);
  auto producer = Produce(static_cast<int>(served_port()), key);
  producer.start();
  producer.join();
  consumer.join();
  expect_each_once(consumer.result());
  EXPECT_EQ(q.qsize(), 0u);
}

// Two processes of one child, over its one connection: a get waits while a put goes by.
auto Getter = csp::process([](csp::Queue<int> q, csp::ChannelEndRead<int> getting) {
  getting();
  return q.get();
});
auto Putter = csp::process([](csp::Queue<int> q, csp::ChannelEndWrite<int> getting, int item) {
  getting(0);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the get is waiting by now, mostly
  q.put(item);
});

int get_then_put(const csp::Queue<int>& q, int item) {
  csp::Channel<int> getting;
  return std::get<0>(csp::Parallel(Getter(q, getting.reader()), Putter(q, getting.writer(), item)));
}

auto GetThenPut = csp::multiprocess([](int port, std::string auth) {
  return get_then_put(connect_jobs(port, auth).queue<int>("q"), 42);
});

// A queue handle lent to a child as an argument: the same, over the lending connection.
auto GetThenPutLent = csp::multiprocess([](csp::Queue<int> q) { return get_then_put(q, 7); });

TEST_F(RemoteQueueGet, OnePeersGetDoesNotHoldUpItsPut) {
  auto [got] = csp::Parallel(GetThenPut(static_cast<int>(served_port()), key));
  EXPECT_EQ(got, 42);
  auto lent = csp::Manager().Queue<int>();
  auto [got_lent] = csp::Parallel(GetThenPutLent(lent));
  EXPECT_EQ(got_lent, 7);
  EXPECT_TRUE(q.empty());
  EXPECT_TRUE(lent.empty());
}

auto GetForever = csp::multiprocess([](int port, std::string auth) {
  csp::Manager m = connect_jobs(port, auth);
  auto q = m.queue<int>("q");
  m.value<int>("consumers").set(1);
  return q.get();
});

TEST_F(RemoteQueueGet, ConsumerKilledWhileWaitingTakesNothing) {
  auto consumer = GetForever(static_cast<int>(served_port()), key);
  start(consumer);
  ASSERT_EQ(::kill(*consumer.pid(), SIGKILL), 0);
  consumer.join();
  EXPECT_EQ(consumer.exitcode(), -SIGKILL);
  q.put(5);
  EXPECT_EQ(q.get(std::chrono::seconds(30)), std::optional<int>(5));
  EXPECT_TRUE(q.empty());
}

// In a child: what its terminated getter took (0: nothing). A process ends only where it waits,
// so an item its get returned is noted here before anything can stop it.
std::atomic<int> taken{0};
auto TakeOne = csp::process([](csp::Queue<int> q, csp::ChannelEndWrite<int> getting, bool timed) {
  getting(0);
  taken = timed ? q.get(std::chrono::seconds(30)).value_or(-1) : q.get();
});

// In a child: a process of it waits in q.get() (with a timeout if `timed`; its request is sent,
// at least) and is terminated once `then` returns, while the child's connection lives on; what
// the process took.
template <class F>
int terminate_waiting_get(csp::Queue<int> q, bool timed, F then) {
  terminate_while_waiting([&](csp::ChannelEndWrite<int> getting) { return TakeOne(q, getting, timed); }, then);
  return taken;
}

void wait_a_little() { std::this_thread::sleep_for(std::chrono::milliseconds(50)); }

// In a child: a process of it waiting in q.get() is terminated, then "consumers" is set (after the
// get's cancel, on the same connection). The child lives on until "go" has an item.
int terminate_then_wait(csp::Queue<int> q, bool timed, const csp::Value<int>& consumers, const csp::Queue<int>& go) {
  int took = terminate_waiting_get(std::move(q), timed, wait_a_little);
  consumers.set(1);
  go.get();
  return took;
}
auto TerminateWaitingGet = csp::multiprocess([](int port, std::string auth, bool timed) {
  csp::Manager m = connect_jobs(port, auth);
  return terminate_then_wait(m.queue<int>("q"), timed, m.value<int>("consumers"), m.queue<int>("go"));
});
auto TerminateWaitingGetLent =
    csp::multiprocess([](csp::Queue<int> q, bool timed, csp::Value<int> consumers, csp::Queue<int> go) {
      return terminate_then_wait(std::move(q), timed, consumers, go);
    });

TEST_F(RemoteQueueGet, ProcessTerminatedWhileWaitingTakesNothing) {
  // Once the child has terminated its getter, an item put stays in the queue.
  auto expect_nothing_taken = [&](csp::Process<int>& consumer, int item) {
    start(consumer);
    q.put(item);
    EXPECT_EQ(q.try_get(), std::optional<int>(item));
    go.put(1);
    consumer.join();
    EXPECT_EQ(consumer.result(), 0);
    consumers.set(0);
  };
  for (bool timed : {false, true}) {
    auto consumer = TerminateWaitingGet(static_cast<int>(served_port()), key, timed);
    expect_nothing_taken(consumer, 5);
    auto lent = TerminateWaitingGetLent(q, timed, consumers, go);
    expect_nothing_taken(lent, 6);
  }
  EXPECT_TRUE(q.empty());
  EXPECT_TRUE(go.empty());
}

// The getter is terminated as its item comes: "go" and "q" get their items one after the other.
// "consumers" is 1 while the getter waits, and 2 once every handle to "q" has gone.
auto TerminateAsTheItemComes = csp::multiprocess([](int port, std::string auth, bool timed) {
  csp::Manager m = connect_jobs(port, auth);
  auto consumers = m.value<int>("consumers");
  int took = terminate_waiting_get(m.queue<int>("q"), timed, [&] {
    consumers.set(1);
    m.queue<int>("go").get();
  });
  consumers.set(2);
  return took;
});

TEST_F(RemoteQueueGet, ProcessTerminatedAsTheItemComesTakesItOnce) {
  // With --gtest_repeat, puts "q" a little later each round, up to 750 us, then the same with a
  // timed get.
  static int round = 0;
  auto consumer = TerminateAsTheItemComes(static_cast<int>(served_port()), key, round / 4 % 2 == 1);
  start(consumer);
  go.put(1);
  std::this_thread::sleep_for(std::chrono::microseconds(250 * (round++ % 4)));
  q.put(5);
  consumer.join();
  ASSERT_EQ(consumers.get(), 2);
  int took = consumer.result();
  std::optional<int> left = q.try_get();
  EXPECT_TRUE(took == 0 || took == 5) << took;
  EXPECT_EQ((took == 5) + (left == 5), 1) << "the child took " << took << ", the queue held " << left.value_or(0);
  EXPECT_TRUE(q.empty());
  EXPECT_TRUE(go.empty());
}

// In a child: a get with a timeout finds nothing; then, once "consumers" is set, two that wait
// for the items the test puts (-1: empty).
std::vector<int> timed_gets(const csp::Queue<int>& q, const csp::Value<int>& consumers) {
  std::vector<int> got;
  got.push_back(q.get(std::chrono::milliseconds(20)).value_or(-1));
  consumers.set(1);
  for (int i = 0; i < 2; ++i) got.push_back(q.get(std::chrono::seconds(30)).value_or(-1));
  return got;
}
auto TimedGets = csp::multiprocess([](int port, std::string auth) {
  csp::Manager m = connect_jobs(port, auth);
  return timed_gets(m.queue<int>("q"), m.value<int>("consumers"));
});
auto TimedGetsLent = csp::multiprocess([](csp::Queue<int> q, csp::Value<int> consumers) {
  return timed_gets(q, consumers);
});
auto PutOne = csp::multiprocess([](csp::Queue<int> q, int item) { q.put(item); });

TEST_F(RemoteQueueGet, TimedGetIsEmptyOrTheItemPutBeforeTheDeadline) {
  // The first item from this side of the queue, the second from another child.
  auto expect_gets = [&](csp::Process<std::vector<int>>& consumer) {
    start(consumer);
    q.put(5);
    auto putter = PutOne(q, 6);
    putter.start();
    putter.join();
    consumer.join();
    EXPECT_EQ(consumer.result(), (std::vector<int>{-1, 5, 6}));
    consumers.set(0);
  };
  auto consumer = TimedGets(static_cast<int>(served_port()), key);
  expect_gets(consumer);
  auto lent = TimedGetsLent(q, consumers);
  expect_gets(lent);
  EXPECT_TRUE(q.empty());
}

// In a child, on a queue of one item: a put with a timeout finds room, the next finds none;
// then, once "consumers" is set, one waits for the test to take the first item.
std::vector<bool> timed_puts(const csp::Queue<int>& one, const csp::Value<int>& consumers) {
  std::vector<bool> put{one.put(1, std::chrono::milliseconds(20)), one.put(2, std::chrono::milliseconds(20))};
  consumers.set(1);
  put.push_back(one.put(3, std::chrono::seconds(30)));
  return put;
}
auto TimedPuts = csp::multiprocess([](int port, std::string auth) {
  csp::Manager m = connect_jobs(port, auth);
  return timed_puts(m.queue<int>("one"), m.value<int>("consumers"));
});
auto TimedPutsLent = csp::multiprocess([](csp::Queue<int> one, csp::Value<int> consumers) {
  return timed_puts(one, consumers);
});

TEST_F(RemoteQueueGet, TimedPutOnAFullQueueWaitsForRoomUntilTheDeadline) {
  auto one = m.queue<int>("one", 1);
  auto expect_puts = [&](csp::Process<std::vector<bool>>& producer) {
    start(producer);
    EXPECT_EQ(one.get(std::chrono::seconds(30)), std::optional<int>(1));
    producer.join();
    EXPECT_EQ(producer.result(), (std::vector<bool>{true, false, true}));
    EXPECT_EQ(one.try_get(), std::optional<int>(3));
    consumers.set(0);
  };
  auto producer = TimedPuts(static_cast<int>(served_port()), key);
  expect_puts(producer);
  auto lent = TimedPutsLent(one, consumers);
  expect_puts(lent);
  EXPECT_TRUE(one.empty());
}

// Timeouts from 0 to 700 us, by round: many deadlines pass as an item comes.
std::chrono::microseconds short_timeout(int round) { return std::chrono::microseconds(100 * (round % 8)); }

// In a child: timed gets of "q" until "go" has an item; the items they returned.
auto GetWithTimeouts = csp::multiprocess([](int port, std::string auth) {
  csp::Manager m = connect_jobs(port, auth);
  auto q = m.queue<int>("q");
  auto go = m.queue<int>("go");
  m.value<int>("consumers").set(1);
  std::vector<int> got;
  for (int i = 0; !go.try_get(); ++i)
    if (auto item = q.get(short_timeout(i))) got.push_back(*item);
  return got;
});

// In a child: timed puts of 1, 2, ... to the queue "one" (of one item) until "go" has an item;
// those that returned true.
auto PutWithTimeouts = csp::multiprocess([](int port, std::string auth) {
  csp::Manager m = connect_jobs(port, auth);
  auto one = m.queue<int>("one");
  auto go = m.queue<int>("go");
  m.value<int>("consumers").set(1);
  std::vector<int> put;
  for (int i = 1; !go.try_get(); ++i)
    if (one.put(i, short_timeout(i))) put.push_back(i);
  return put;
});

constexpr int racing_items = 2000;

TEST_F(RemoteQueueGet, ItemsRacingTheDeadlinesOfGetsAreNeitherLostNorDuplicated) {
  auto consumer = GetWithTimeouts(static_cast<int>(served_port()), key);
  start(consumer);
  for (int i = 1; i <= racing_items; ++i) {
    q.put(i);
    std::this_thread::sleep_for(short_timeout(i * 3));
  }
  go.put(1);
  consumer.join();
  std::vector<int> seen = consumer.result();
  while (auto left = q.try_get()) seen.push_back(*left);
  std::sort(seen.begin(), seen.end());
  ASSERT_EQ(seen.size(), static_cast<std::size_t>(racing_items));
  for (int i = 0; i < racing_items; ++i) ASSERT_EQ(seen[static_cast<std::size_t>(i)], i + 1);
  EXPECT_TRUE(go.empty());
}

TEST_F(RemoteQueueGet, ItemsRacingTheDeadlinesOfPutsAreNeitherLostNorDuplicated) {
  auto one = m.queue<int>("one", 1);
  auto producer = PutWithTimeouts(static_cast<int>(served_port()), key);
  start(producer);
  std::vector<int> got;
  for (int i = 1; i <= racing_items; ++i) {
    auto item = one.get(std::chrono::seconds(30));
    ASSERT_TRUE(item) << "no item after " << got.size();
    got.push_back(*item);
    std::this_thread::sleep_for(short_timeout(i * 3));
  }
  go.put(1);
  producer.join();
  if (auto left = one.try_get()) got.push_back(*left);
  EXPECT_EQ(got, producer.result());  // each put that returned true, once, in order
  EXPECT_TRUE(go.empty());
}

// In a child: serves manager "far" with a queue "q" and a lock "l", tells its port through
// `port`, and waits to be killed.
auto ServeFar = csp::multiprocess([](csp::Value<int> port) {
  csp::Manager far("far");
  far.queue<int>("q");
  far.lock("l");
  port.set(csp::serve(0, {.auth_key = key}));
  for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
});

// Starts `server`, a ServeFar telling its port through `port`; the manager it serves.
csp::Manager connect_far(csp::Process<>& server, const csp::Value<int>& port) {
  server.start();
  while (port.get() == 0)
    if (server.join(std::chrono::milliseconds(5))) throw std::runtime_error("the server ended first");
  return csp::Manager("far", csp::Connect{"127.0.0.1", static_cast<std::uint16_t>(port.get()), key});
}

TEST(RemoteQueue, TimedGetWhoseServerDiesIsAnError) {
  csp::Value<int> port(0);
  auto server = ServeFar(port);
  csp::Manager far = connect_far(server, port);
  auto q = far.queue<int>("q");
  EXPECT_EQ(q.get(std::chrono::milliseconds(1)), std::nullopt);  // it crosses
  std::string waited;
  std::thread waiter([&] {
    waited = attempt([&] { return std::to_string(q.get(std::chrono::seconds(30)).value_or(-1)); });
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the get waits there by now, mostly
  ASSERT_EQ(::kill(*server.pid(), SIGKILL), 0);
  waiter.join();
  server.join();
  EXPECT_NE(waited.find("the connection is lost"), std::string::npos) << waited;
  EXPECT_THROW(q.get(std::chrono::seconds(30)), csp::Error);
}

// A condition whose lock's server died: its wait fails for that, not as one without the lock.
TEST(RemoteCondition, WaitWhoseLocksServerDiedSaysSo) {
  csp::Value<int> port(0);
  auto server = ServeFar(port);
  csp::Lock l = connect_far(server, port).lock("l");
  csp::Condition c(l);
  l.acquire();
  ASSERT_EQ(::kill(*server.pid(), SIGKILL), 0);
  server.join();
  std::string waited = attempt([&] {
    c.wait();
    return std::string("woken");
  });
  EXPECT_NE(waited.find("the connection is lost"), std::string::npos) << waited;
}

auto QueueRequests = csp::multiprocess([](int port, std::string auth) {
  auto q = connect_jobs(port, auth).queue<int>("q", 3);
  std::vector<std::string> seen;
  seen.push_back(std::to_string(q.get(std::chrono::milliseconds(1)).value_or(-1)));
  seen.push_back(std::to_string(q.try_get().value_or(-1)));
  q.put(1);
  seen.push_back(std::to_string(q.maxsize()) + " " + std::to_string(q.qsize()));
  q.close();
  seen.push_back(attempt([&] { return std::to_string(q.get()); }));
  seen.push_back(attempt([&] { return std::to_string(q.get()); }));
  return seen;
});

TEST(RemoteQueue, EveryRequestCrosses) {
  csp::Manager m("jobs");
  m.queue<int>("q", 3);
  auto [seen] = csp::Parallel(QueueRequests(static_cast<int>(served_port()), key));
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[0], "-1");
  EXPECT_EQ(seen[1], "-1");
  EXPECT_EQ(seen[2], "3 1");
  EXPECT_EQ(seen[3], "1");
  EXPECT_NE(seen[4].find("is closed and empty"), std::string::npos) << seen[4];
}

auto FillUp = csp::multiprocess([](csp::Queue<int> q) {
  while (q.try_put(1)) {
  }
  return std::vector<std::size_t>{q.maxsize(), q.qsize(), q.full()};
});

TEST(RemoteQueue, LentQueueKnowsItsMaxsize) {
  csp::Queue<int> q(3);
  auto [seen] = csp::Parallel(FillUp(q));
  EXPECT_EQ(seen, (std::vector<std::size_t>{3, 3, 1}));
  EXPECT_TRUE(q.full());
}

}  // namespace
