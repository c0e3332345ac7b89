// The README demo: a producer hands numbers to three workers that square them, and a consumer
// prints the squares as they arrive. Retiring channel ends shuts the network down cleanly.
//
//                  +--> Worker 1 --+
//   Producer --numbers--> Worker 2 --squares--> Consumer
//                  +--> Worker 3 --+
//
// Usage: pipeline [count]   (squares 1..count, default 10)

#include <csp/csp.hpp>

#include <iomanip>
#include <iostream>
#include <map>
#include <string>

// What a worker sends on: the number, its square, and who computed it.
struct Square {
  int n;
  long long square;
  int worker;
};

// Writes 1..count, then retires: once every writer has retired, reads throw
// csp::ChannelRetireException, which is how the workers learn there is nothing more to do.
const auto Producer = csp::process([](csp::ChannelEndWrite<int> out, int count) {
  for (int n = 1; n <= count; ++n) out(n);
  csp::retire(out);
});

// Several workers read the same channel (any-to-any): each number goes to exactly one of them.
// The body never returns: the ChannelRetireException thrown by in() ends the process and, as in
// PyCSP, retires the ends it was given. When the last worker has retired its write end, the
// consumer's read throws in turn.
const auto Worker = csp::process(
    [](int id, csp::ChannelEndRead<int> in, csp::ChannelEndWrite<Square> out) {
      for (;;) {
        const int n = in();
        out(Square{n, static_cast<long long>(n) * n, id});
      }
    });

// Prints each square as it arrives; the retirement of every worker marks the end of the stream.
const auto Consumer = csp::process([](csp::ChannelEndRead<Square> in) {
  int count = 0;
  long long sum = 0;
  std::map<int, int> per_worker;
  try {
    for (;;) {
      const Square s = in();
      std::cout << std::setw(4) << s.n << "^2 = " << std::setw(6) << s.square
                << "   (worker " << s.worker << ")\n";
      ++count;
      sum += s.square;
      ++per_worker[s.worker];
    }
  } catch (const csp::ChannelRetireException&) {
  }
  std::cout << count << " squares received, sum = " << sum << "  (";
  const char* separator = "";
  for (const auto& [worker, n] : per_worker) {
    std::cout << separator << "worker " << worker << ": " << n;
    separator = ", ";
  }
  std::cout << ")\n";
});

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::stoi(argv[1]) : 10;
  std::cout << "Squaring 1.." << count << " with 3 workers:\n";

  csp::Channel<int> numbers("numbers");
  csp::Channel<Square> squares("squares");

  // +c joins a new reader of channel c, -c a new writer: every worker gets its own ends.
  csp::Parallel(Producer(-numbers, count),
                Worker(1, +numbers, -squares),
                Worker(2, +numbers, -squares),
                Worker(3, +numbers, -squares),
                Consumer(+squares));
  csp::shutdown();  // stops the runtime's threads, as PyCSP programs end
}
