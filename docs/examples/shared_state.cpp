// Porting guide, shared state: Python multiprocessing's Value, Array, Manager, locks, Event,
// Barrier, Queue, Pipe, Pool and shared_memory. docs/porting.md shows the marked snippets.

#include <csp/csp.hpp>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <ranges>
#include <span>
#include <string>

#include "check.hpp"

using namespace std::chrono_literals;

// [value]
auto Deposit = csp::process([](csp::Value<int> balance, int times) {
  for (int i = 0; i < times; ++i) balance.update([](int& b) { b += 1; });  // atomic
});
auto DepositLocked = csp::process([](csp::Value<int> balance, int times) {
  for (int i = 0; i < times; ++i) {
    std::lock_guard guard(balance.get_lock());  // with balance.get_lock():
    balance.set(balance.get() + 1);
  }
});
// [/value]

int main() {
  {
    // [value_use]
    csp::Value<int> balance(100);
    csp::Parallel(Deposit(balance, 500), DepositLocked(balance, 500));
    int total = balance.get();  // 1100
    // [/value_use]
    check(total == 1100, "Value updates are atomic");
  }
  {
    // [array]
    csp::Array<double> a(4);  // four zeros
    csp::Array<int> b{0, 1, 2, 3};
    a.set(0, 1.5);
    b.update([](std::span<int> xs) {
      for (int& x : xs) x = -x;
    });
    std::vector<int> now = b.snapshot();  // {0, -1, -2, -3}
    // [/array]
    check(a.get(0) == 1.5 && a.size() == 4, "Array get/set");
    check(now == std::vector<int>{0, -1, -2, -3}, "Array update");
  }
  {
    // [manager]
    csp::Manager m;
    auto d = m.dict<std::string, int>();
    auto l = m.list<int>();
    auto ns = m.Namespace();
    auto Fill = csp::process([](csp::Dict<std::string, int> d, csp::List<int> l, csp::Namespace ns) {
      d.set("x", 1);
      d.update("x", [](int& v) { v += 1; });
      l.append(7);
      ns.set("done", true);
    });
    csp::Parallel(Fill(d, l, ns));
    // d.get("x") == 2, l.snapshot() == {7}, ns.get<bool>("done")
    // [/manager]
    check(d.get("x") == 2 && d.contains("x") && d.size() == 1, "Manager dict");
    check(l.snapshot() == std::vector<int>{7} && ns.get<bool>("done"), "Manager list, Namespace");
  }
  {
    // [locks]
    csp::Lock lock;
    csp::RLock rlock;
    csp::Semaphore sem(2);
    csp::BoundedSemaphore bounded(1);
    {
      std::lock_guard g1(lock);
      std::lock_guard g2(rlock);
      std::lock_guard g3(rlock);  // an RLock may be taken again by its holder
      std::unique_lock g4(sem);
    }
    bool got = bounded.acquire();  // and release(); releasing too often throws
    bounded.release();
    // [/locks]
    check(got, "locks");
  }
  {
    // [event_condition_barrier]
    csp::Event ready;
    csp::Barrier barrier(2);
    csp::Condition cond;
    csp::Value<int> stage(0);
    auto Worker = csp::process([](csp::Event ready, csp::Barrier barrier, csp::Condition cond,
                                  csp::Value<int> stage) {
      ready.wait();
      barrier.wait();
      std::lock_guard g(cond);
      stage.set(1);
      cond.notify_all();
    });
    auto Boss = csp::process([](csp::Event ready, csp::Barrier barrier, csp::Condition cond,
                                csp::Value<int> stage) {
      ready.set();
      barrier.wait();
      std::lock_guard g(cond);
      cond.wait_for([&] { return stage.get() == 1; });
      return stage.get();
    });
    auto [w, seen] = csp::Parallel(Worker(ready, barrier, cond, stage),
                                   Boss(ready, barrier, cond, stage));  // seen == 1
    // [/event_condition_barrier]
    check(seen == 1 && ready.is_set(), "Event, Barrier, Condition");
  }
  {
    // [queue]
    csp::Queue<int> q(10);  // maxsize 10; 0 means unbounded
    auto Put = csp::process([](csp::Queue<int> q) {
      for (int i = 1; i <= 3; ++i) q.put(i);
    });
    csp::Parallel(Put(q));
    int first = q.get();                           // 1
    std::optional<int> next = q.get(100ms);        // 2, or empty after 100 ms
    std::size_t left = q.qsize();                  // 1
    // [/queue]
    check(first == 1 && next == 2 && left == 1 && !q.empty(), "Queue");
  }
  {
    // [pipe]
    auto [left, right] = csp::Pipe<std::string>();
    auto Echo = csp::process([](csp::Connection<std::string> conn) { conn.send(conn.recv() + "!"); });
    csp::Spawn(Echo(right));
    left.send("hello");
    std::string reply = left.recv();  // "hello!"
    bool more = left.poll();          // false: nothing waiting
    // [/pipe]
    check(reply == "hello!" && !more, "Pipe");
  }
  {
    // [pool]
    csp::Pool pool(4);
    std::vector<int> squares = pool.map([](int x) { return x * x; }, std::views::iota(0, 5));
    auto future = pool.apply_async([](int x, int y) { return x + y; }, 2, 3);
    int sum = future.get();  // 5
    pool.close();
    pool.join();
    // [/pool]
    check(squares == std::vector<int>{0, 1, 4, 9, 16} && sum == 5, "Pool");
  }
  {
    // [shared_memory]
    auto block = csp::SharedMemory::create("csp-porting-guide", 16);
    std::memcpy(block.span().data(), "shared", 7);
    auto other = csp::SharedMemory::attach("csp-porting-guide");
    std::string seen(reinterpret_cast<const char*>(other.span().data()));  // "shared"
    other.close();
    block.close();
    block.unlink();
    // [/shared_memory]
    check(seen == "shared", "SharedMemory");
  }
  csp::shutdown();
  std::puts("shared state: all examples passed");
}
