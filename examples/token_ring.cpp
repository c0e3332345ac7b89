// A token ring (PyCSP's examples/TokenRing.py): processes pass a token around a ring of
// channels, each adding one to it. After `laps` laps of `size` processes it holds size * laps.
//
//   Root --ring[0]--> Element --ring[1]--> Element --> ... --ring[size-1]--> back to Root
//
// Usage: token_ring [size] [laps]   (defaults 64 and 1000; size at least 2)

#include <csp/csp.hpp>

#include <iostream>
#include <string>
#include <vector>

// Adds one to every token passing through. The retirement that ends the ring arrives as a
// ChannelRetireException, which ends the process and retires both its ends in turn.
const auto Element = csp::process([](csp::ChannelEndRead<long> in, csp::ChannelEndWrite<long> out) {
  for (;;) out(in() + 1);
});

// Starts the token, sends it round `laps` times, then retires its ends to stop the ring.
const auto Root = csp::process([](int laps, csp::ChannelEndRead<long> in, csp::ChannelEndWrite<long> out) {
  long token = 0;
  for (int lap = 0; lap < laps; ++lap) {
    out(token + 1);
    token = in();
  }
  csp::retire(in, out);
  return token;
});

int main(int argc, char** argv) {
  const int size = argc > 1 ? std::stoi(argv[1]) : 64;
  const int laps = argc > 2 ? std::stoi(argv[2]) : 1000;
  if (size < 2) {
    std::cerr << "usage: token_ring [size >= 2] [laps]\n";
    return 1;
  }

  // ring[i] leads from process i to process i+1, and the last one back to the root.
  std::vector<csp::Channel<long>> ring(size);
  for (int i = 1; i < size; ++i) csp::Spawn(Element(+ring[i - 1], -ring[i]));

  auto [token] = csp::Parallel(Root(laps, +ring[size - 1], -ring[0]));
  std::cout << "Token ring of " << size << " processes, " << laps << " laps: token = " << token
            << '\n';

  // Waits for the spawned elements, which end as the retirement goes round the ring.
  csp::shutdown();
}
