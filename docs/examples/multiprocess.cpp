// Porting guide, multiprocess: PyCSP's @multiprocess and Python's multiprocessing.Process
// with the body in a child OS process. docs/porting.md shows the marked snippet.

#include <unistd.h>

#include <csp/csp.hpp>
#include <cstdio>

#include "check.hpp"

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
  csp::shutdown();
  std::puts("multiprocess: all examples passed");
}
