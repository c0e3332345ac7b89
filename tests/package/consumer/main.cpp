// What a user's first program looks like: two processes in Parallel, talking over a channel.

#include <csp/csp.hpp>

#include <iostream>

int main() {
  auto Sender = csp::process([](csp::ChannelEndWrite<int> out) {
    for (int i = 1; i <= 3; ++i) out(i);
    csp::retire(out);
  });
  auto Receiver = csp::process([](csp::ChannelEndRead<int> in) {
    int sum = 0;
    try {
      for (;;) sum += in();
    } catch (const csp::ChannelRetireException&) {
    }
    return sum;
  });

  csp::Channel<int> c;
  auto [sent, sum] = csp::Parallel(Sender(-c), Receiver(+c));
  std::cout << "consumer: received 1 + 2 + 3 = " << sum << '\n';
  csp::shutdown();
  return sum == 6 ? 0 : 1;
}
