// The classic Fibonacci network (PyCSP's examples/Fibonacci.py): two Prefix processes hold the
// last two numbers, Pairs adds them, and a Delta2 copies each number to the printer.
//
//   Prefix(0) --A--> Delta2 --D--> Pairs
//       ^              |             |
//       B            print           C
//       |              v             |
//   Prefix(1)       Printer          |
//       ^                            |
//       +----------------------------+
//
// Usage: fibonacci [count]   (default 20)

#include <csp/csp.hpp>

#include <iostream>
#include <string>

#include "plug_n_play.hpp"

using plug_n_play::Delta2;
using plug_n_play::Pairs;
using plug_n_play::Prefix;

// Prints the first `count` numbers, then poisons its channel. Poison spreads: each process that
// meets it poisons every end it holds, until the whole network has stopped.
const auto Printer = csp::process("Printer", [](csp::ChannelEndRead<long long> in, int count) {
  std::cout << "The first " << count << " Fibonacci numbers:";
  for (int i = 0; i < count; ++i) std::cout << ' ' << in();
  std::cout << '\n';
  csp::poison(in);
});

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::stoi(argv[1]) : 20;

  csp::Channel<long long> a("A"), b("B"), c("C"), d("D"), print("print");
  csp::Parallel(Prefix(+b, -a, 0LL),
                Prefix(+c, -b, 1LL),
                Pairs(+d, -c),
                Delta2(+a, -d, -print),
                Printer(+print, count));
  std::cout << "The network has stopped.\n";
  csp::shutdown();
}
