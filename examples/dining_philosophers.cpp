// The dining philosophers (PyCSP's examples/Dining-Phil.py, after occam's "secure college"):
// five philosophers share five forks, each fork a process between two philosophers. A butler
// seats at most four at a time, so at least one of them can always get both forks: no deadlock.
//
//   Philosopher i --left[i]--> Fork i <--right[i-1]-- Philosopher i-1
//   every Philosopher --sit_down, stand_up--> Butler
//
// Usage: dining_philosophers [meals]   (meals in total, default 10000)

#include <csp/csp.hpp>

#include <iostream>
#include <numeric>
#include <string>
#include <vector>

constexpr int philosophers = 5;

// Grants a seat at most `meals` times, never to more than four philosophers at once. Each
// grant is one meal. After the last meal, waits for everyone to stand up and retires, which
// tells the philosophers, blocked on sit_down, that dinner is over.
const auto Butler = csp::process(
    [](int meals, csp::ChannelEndRead<int> sit_down, csp::ChannelEndRead<int> stand_up) {
      int served = 0;
      int seated = 0;
      while (served < meals || seated > 0) {
        // Only listen to sit_down while a seat and a meal are left: a guard left out of the
        // alternation is PyCSP's way of refusing a request for now.
        if (seated < philosophers - 1 && served < meals) {
          if (csp::AltSelect(csp::InputGuard(sit_down), csp::InputGuard(stand_up)).index() == 0) {
            ++seated;
            ++served;
          } else {
            --seated;
          }
        } else {
          stand_up();
          --seated;
        }
      }
      csp::retire(sit_down, stand_up);
    });

// A fork: picked up by whichever neighbour asks first (the first message), then put down by
// that same neighbour (the second). It ends when a neighbour retires after dinner.
const auto Fork = csp::process([](csp::ChannelEndRead<int> one, csp::ChannelEndRead<int> other) {
  for (;;) {
    if (csp::FairSelect(csp::InputGuard(one), csp::InputGuard(other)).index() == 0)
      one();
    else
      other();
  }
});

// Sits down, takes whichever fork is free first and then the other, eats, puts both down,
// stands up; until the butler retires. Returns how many meals it ate.
const auto Philosopher = csp::process([](int id, csp::ChannelEndWrite<int> left,
                                         csp::ChannelEndWrite<int> right,
                                         csp::ChannelEndWrite<int> sit_down,
                                         csp::ChannelEndWrite<int> stand_up) {
  int meals = 0;
  try {
    for (;;) {
      sit_down(id);
      // An OutputGuard's message is delivered only if that guard is chosen.
      if (csp::AltSelect(csp::OutputGuard(left, id), csp::OutputGuard(right, id)).index() == 0)
        right(id);
      else
        left(id);
      ++meals;
      left(id);
      right(id);
      stand_up(id);
    }
  } catch (const csp::ChannelRetireException&) {
    csp::retire(left, right, sit_down, stand_up);
  }
  return meals;
});

int main(int argc, char** argv) {
  const int meals = argc > 1 ? std::stoi(argv[1]) : 10000;

  // Philosopher i holds fork i in the left hand and fork i+1 in the right hand.
  std::vector<csp::Channel<int>> left(philosophers), right(philosophers);
  csp::Channel<int> sit_down("sit_down"), stand_up("stand_up");

  // The butler and the forks serve in the background; csp::shutdown() waits for them.
  csp::Spawn(Butler(meals, +sit_down, +stand_up));
  for (int i = 0; i < philosophers; ++i)
    csp::Spawn(Fork(+left[i], +right[(i + philosophers - 1) % philosophers]));

  std::vector<csp::Process<int>> diners;
  for (int i = 0; i < philosophers; ++i)
    diners.push_back(Philosopher(i, -left[i], -right[i], -sit_down, -stand_up));
  const std::vector<int> eaten = csp::Parallel(diners);
  csp::shutdown();

  for (int i = 0; i < philosophers; ++i)
    std::cout << "Philosopher " << i << " ate " << eaten[i] << " meals\n";
  const int total = std::accumulate(eaten.begin(), eaten.end(), 0);
  if (total != meals) {
    std::cerr << "the butler served " << meals << " meals, but " << total << " were eaten\n";
    return 1;
  }
  std::cout << total << " meals in total, no deadlock\n";
}
