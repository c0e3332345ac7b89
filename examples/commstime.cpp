// The classic commstime benchmark (PyCSP's examples/Commstime.py): a token circulates
// Prefix -> SeqDelta2 -> Successor -> Prefix while SeqDelta2 also reports each value to a
// Consumer that times the loop. Each cycle is four communications.
//
//   Prefix(0) --a--> SeqDelta2 --b--> Successor
//       ^                |                |
//       |                d                |
//       |                v                |
//       +-----c------ Consumer <- - - - - +   (c closes the ring from Successor to Prefix)
//
// Usage: commstime [cycles] [runs]   (defaults 5000 and 3)

#include <csp/csp.hpp>

#include <chrono>
#include <cstdio>
#include <string>

#include "plug_n_play.hpp"

using plug_n_play::Prefix;
using plug_n_play::SeqDelta2;
using plug_n_play::Successor;

// Times `cycles` turns of the ring, then poisons its channel, which stops the whole network.
// Returns the time of one communication, in microseconds.
const auto Consumer = csp::process([](csp::ChannelEndRead<long> in, int cycles) {
  in();  // the ring is running: start timing from here
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < cycles; ++i) in();
  const std::chrono::duration<double, std::micro> elapsed = std::chrono::steady_clock::now() - start;
  csp::poison(in);
  return elapsed.count() / (4 * cycles);
});

int main(int argc, char** argv) {
  const int cycles = argc > 1 ? std::stoi(argv[1]) : 5000;
  const int runs = argc > 2 ? std::stoi(argv[2]) : 3;

  for (int run = 1; run <= runs; ++run) {
    csp::Channel<long> a("a"), b("b"), c("c"), d("d");
    auto [prefix, delta, successor, us_per_communication] =
        csp::Parallel(Prefix(+c, -a, 0L),
                      SeqDelta2(+a, -b, -d),
                      Successor(+b, -c),
                      Consumer(+d, cycles));
    std::printf("run %d/%d: %d communications, %.3f us per communication\n", run, runs,
                4 * cycles, us_per_communication);
  }
  csp::shutdown();
}
