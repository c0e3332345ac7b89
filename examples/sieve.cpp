// The prime sieve (PyCSP's examples/Sieve.py): a chain of filters that grows by one process per
// prime. The first number to reach the end of the chain is prime: the stage that receives it
// reports it, then puts a filter for it in front of a new stage.
//
//   Numbers --> Filter(2) --> Filter(3) --> Filter(5) --> ... --> Stage --primes--> Printer
//
// Each Filter(p) began as the Stage that received p: it sent p to the Printer, then became
// Filter(p) followed by a new Stage.
//
// Usage: sieve [limit]   (primes below limit, default 2000)

#include <csp/csp.hpp>

#include <iostream>
#include <string>

// Writes the candidates 2..limit-1, then retires: the retirement travels down the chain.
const auto Numbers = csp::process("Numbers", [](csp::ChannelEndWrite<int> out, int limit) {
  for (int n = 2; n < limit; ++n) out(n);
  csp::retire(out);
});

// Passes on the numbers that `prime` does not divide.
const auto Filter =
    csp::process([](int prime, csp::ChannelEndRead<int> in, csp::ChannelEndWrite<int> out) {
      for (;;) {
        const int n = in();
        if (n % prime != 0) out(n);
      }
    });

// The end of the chain. A function rather than a lambda, because it starts a copy of itself.
void stage(csp::ChannelEndRead<int> in, csp::ChannelEndWrite<int> primes) {
  const int prime = in();  // once the numbers run out, this throws and the chain is complete
  primes(prime);
  // The new channel lives until both processes using it have ended.
  csp::Channel<int> rest;
  csp::Parallel(Filter(prime, in, -rest).name("Filter(" + std::to_string(prime) + ")"),
                csp::process("Stage", stage)(+rest, primes));
}
const auto Stage = csp::process("Stage", stage);

// Reports the primes; the chain has ended when the last stage retires `primes`.
const auto Printer = csp::process("Printer", [](csp::ChannelEndRead<int> in) {
  int count = 0;
  int last = 0;
  try {
    for (;;) {
      last = in();
      if (++count <= 10) std::cout << last << ' ';
    }
  } catch (const csp::ChannelRetireException&) {
  }
  std::cout << "... " << last << '\n' << count << " primes, the last is " << last << '\n';
});

int main(int argc, char** argv) {
  const int limit = argc > 1 ? std::stoi(argv[1]) : 2000;
  std::cout << "Primes below " << limit << ":\n";

  csp::Channel<int> numbers("numbers"), primes("primes");
  csp::Parallel(Numbers(-numbers, limit), Stage(+numbers, -primes), Printer(+primes));
  csp::shutdown();
}
