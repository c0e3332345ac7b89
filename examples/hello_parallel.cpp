// The smallest csp program: several processes say hello in Parallel.
// A port of PyCSP's `Parallel([hello(i) for i in range(n)])`.

#include <csp/csp.hpp>

#include <iostream>
#include <syncstream>
#include <vector>

// PyCSP's @process: calling Hello(i) makes a process that has not started yet.
const auto Hello = csp::process([](int id, int count) {
  // Processes run at the same time, so each line is written in one piece.
  std::osyncstream(std::cout) << "Hello from process " << id << " of " << count << '\n';
  return id * id;
});

int main() {
  const int count = 4;
  std::vector<csp::Process<int>> hellos;
  for (int id = 0; id < count; ++id) hellos.push_back(Hello(id, count));

  // Parallel starts every process, waits for all, and returns their results in order.
  const std::vector<int> squares = csp::Parallel(hellos);

  std::cout << "All " << squares.size() << " processes said hello; they returned";
  for (int s : squares) std::cout << ' ' << s;
  std::cout << '\n';

  // As PyCSP programs end: stop the runtime and its threads.
  csp::shutdown();
}
