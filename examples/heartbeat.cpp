// A heartbeat: a process beats each time a period passes without a message, and stops when a
// message arrives. PriSelect checks the input first, so a waiting message always wins over a
// beat that is due at the same moment.
//
//   Controller --stop--> Heart (PriSelect: InputGuard(stop), TimeoutGuard(period))
//
// Usage: heartbeat [period_ms] [stop_after_ms]   (defaults 100 and 550)

#include <csp/csp.hpp>

#include <chrono>
#include <iostream>
#include <string>

using Milliseconds = std::chrono::milliseconds;

// Beats every `period` of silence on `stop`; returns the number of beats once a message comes.
const auto Heart = csp::process([](csp::ChannelEndRead<std::string> stop, Milliseconds period) {
  int beats = 0;
  for (;;) {
    auto chosen = csp::PriSelect(csp::InputGuard(stop), csp::TimeoutGuard(period));
    if (chosen.index() == 0) {
      std::cout << "heart: stopped by \"" << chosen.value<std::string>() << "\"\n";
      return beats;
    }
    std::cout << "heart: beat " << ++beats << '\n';
  }
});

// Lets `delay` pass, then sends the message that stops the heart. An alternation with only a
// timeout guard is how a process sleeps without holding up the others.
const auto Controller =
    csp::process([](csp::ChannelEndWrite<std::string> stop, Milliseconds delay) {
      csp::PriSelect(csp::TimeoutGuard(delay));
      stop("that's enough");
      csp::retire(stop);
    });

int main(int argc, char** argv) {
  const Milliseconds period{argc > 1 ? std::stoi(argv[1]) : 100};
  const Milliseconds delay{argc > 2 ? std::stoi(argv[2]) : 550};

  csp::Channel<std::string> stop("stop");
  auto [beats, done] = csp::Parallel(Heart(+stop, period), Controller(-stop, delay));
  std::cout << beats << " beats in " << delay.count() << " ms, one every " << period.count()
            << " ms\n";
  csp::shutdown();
}
