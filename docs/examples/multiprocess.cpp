// Porting guide, multiprocess: PyCSP's @multiprocess and Python's multiprocessing.Process
// with the body in a child OS process. docs/porting.md shows the marked snippet.

#include <unistd.h>

#include <csp/csp.hpp>
#include <cstdio>

#include "check.hpp"

// [multiprocess_ends]
// Channel ends cross too, of any channel: the child gets ends of the same channel.
auto Counter = csp::multiprocess([](csp::ChannelEndWrite<int> out, int n) {
  for (int i = 1; i <= n; ++i) out(i);
  csp::retire(out);
});
auto Total = csp::process([](csp::ChannelEndRead<int> in) {
  long sum = 0;
  try {
    for (;;) sum += in();
  } catch (const csp::ChannelRetireException&) {  // both children retired
  }
  return sum;
});
// [/multiprocess_ends]

// [multiprocess]
auto Square = csp::multiprocess([](int x) { return x * x; });  // no captures

int main() {
  csp::multiprocess_main();  // first line of main: in a child it runs the body, then exits
  auto [a, b] = csp::Parallel(Square(3), Square(4));  // 9, 16, each from a child process
  // [/multiprocess]
  check(a == 9 && b == 16, "multiprocess results come back");
  auto p = Square(5);
  p.start();
  p.join();
  check(p.pid() && *p.pid() != ::getpid() && p.exitcode() == 0, "the body ran in another OS process");

  // [multiprocess_ends_use]
  csp::Channel<int> c;  // anonymous: no serve needed
  auto [x, y, sum] = csp::Parallel(Counter(-c, 100), Counter(-c, 100), Total(+c));
  // [/multiprocess_ends_use]
  check(sum == 2 * 5050, "two children wrote 1..100 each through channel ends");
  csp::shutdown();
  std::puts("multiprocess: all examples passed");
}
