// Porting guide, processes: PyCSP's @process, Parallel, Sequence, Spawn and shutdown, and
// Python multiprocessing.Process's handle. docs/porting.md shows the marked snippets.

#include <unistd.h>

#include <chrono>
#include <csp/csp.hpp>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "check.hpp"

using namespace std::chrono_literals;

// [process]
auto Square = csp::process([](int x) { return x * x; });

auto Producer = csp::process([](csp::ChannelEndWrite<int> out, int n) {
  for (int i = 0; i < n; ++i) out(i);
  csp::retire(out);
});
// [/process]

int main() {
  // [parallel]
  auto [a, b] = csp::Parallel(Square(3), Square(4));  // 9, 16

  std::vector<csp::Process<int>> procs;
  for (int i = 0; i < 5; ++i) procs.push_back(Square(i));
  std::vector<int> squares = csp::Parallel(procs);  // {0, 1, 4, 9, 16}
  // [/parallel]
  check(a == 9 && b == 16, "Parallel returns each process's result");
  check(squares == std::vector<int>{0, 1, 4, 9, 16}, "Parallel over a vector returns results in order");

  // [sequence]
  auto [first, second] = csp::Sequence(Square(5), Square(6));  // one after the other
  // [/sequence]
  check(first == 25 && second == 36, "Sequence returns results");

  // [spawn]
  csp::Channel<int> c;
  csp::Spawn(Producer(-c, 3));  // runs in the background
  auto in = +c;
  int sum = 0;
  try {
    for (;;) sum += in();
  } catch (const csp::ChannelRetireException&) {  // the producer retired
  }
  // [/spawn]
  check(sum == 3, "the spawned producer sent 0, 1, 2");

  // [lambda]
  csp::Process<> hello{[] { std::puts("hello from a process"); }};
  csp::Parallel(std::move(hello));
  // [/lambda]

  // [handle]
  csp::Channel<int> gate;
  auto Waiter = csp::process([](csp::ChannelEndRead<int> in) { return in(); });
  auto p = Waiter(+gate).name("waiter");
  p.start();
  bool ended = p.join(50ms);  // false: it still waits on the gate
  bool alive = p.is_alive();  // true
  p.terminate();              // its blocked read fails; it ends
  p.join();
  std::optional<int> code = p.exitcode();  // -15, as after SIGTERM
  // [/handle]
  check(!ended && alive, "join(timeout) and is_alive while parked");
  check(code == -15, "a terminated process's exit code is -15");
  check(p.name() == "waiter" && p.pid() == ::getpid(), "name() and pid()");

  // [thread_process]
  auto Blocking = csp::thread_process([](csp::ChannelEndWrite<std::string> out) {
    std::this_thread::sleep_for(10ms);  // stands for a call that blocks its OS thread
    out("done");
  });
  auto Reader = csp::process([](csp::ChannelEndRead<std::string> in) { return in(); });
  csp::Channel<std::string> result;
  auto [nothing, text] = csp::Parallel(Blocking(-result), Reader(+result));
  // [/thread_process]
  check(text == "done", "a thread process talks to a fiber process");

  // [shutdown]
  csp::shutdown();  // waits for every spawned process, then stops the runtime
  // [/shutdown]
  std::puts("processes: all examples passed");
}
