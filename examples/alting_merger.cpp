// Merging with alternation: one process reads from four producers at once with AltSelect,
// taking whichever message is ready, so no producer waits on another.
//
//   Producer 0 --in[0]--+
//   Producer 1 --in[1]--+--> Merger (AltSelect over the inputs still open)
//   Producer 2 --in[2]--+
//   Producer 3 --in[3]--+

#include <csp/csp.hpp>

#include <iostream>
#include <set>
#include <stdexcept>
#include <vector>

constexpr int producers = 4;
constexpr int values_each = 10;

// Sends values_each values that no other producer sends: id*100 + 0, 1, 2, ...
const auto Producer = csp::process([](int id, csp::ChannelEndWrite<int> out) {
  for (int k = 0; k < values_each; ++k) out(id * 100 + k);
  csp::retire(out);
});

// Selects among the inputs until every producer has delivered all its values. An input whose
// producer is done leaves the guard list: as in PyCSP, a select that includes a retired
// channel throws ChannelRetireException rather than wait on the others.
const auto Merger = csp::process([](std::vector<csp::ChannelEndRead<int>> inputs) {
  std::vector<int> received(inputs.size(), 0);
  std::vector<std::size_t> open;  // indices of the inputs whose producer is not done yet
  for (std::size_t i = 0; i < inputs.size(); ++i) open.push_back(i);

  int total = 0;
  std::set<int> distinct;
  while (!open.empty()) {
    std::vector<csp::InputGuard<int>> guards;
    for (std::size_t i : open) guards.emplace_back(inputs[i]);

    auto chosen = csp::AltSelect(guards);  // index() is the position in `guards`
    const std::size_t producer = open[chosen.index()];
    distinct.insert(chosen.value<int>());
    ++total;
    if (++received[producer] == values_each) std::erase(open, producer);
  }

  std::cout << "Received " << total << " values, " << distinct.size() << " distinct (";
  for (std::size_t i = 0; i < inputs.size(); ++i)
    std::cout << (i ? ", " : "") << "producer " << i << ": " << received[i];
  std::cout << ")\n";
  // An exception other than a channel exception leaves the process and Parallel rethrows it.
  if (static_cast<int>(distinct.size()) != total)
    throw std::runtime_error("a value was received twice");
});

int main() {
  std::vector<csp::Channel<int>> channels(producers);

  std::vector<csp::Process<>> network;
  std::vector<csp::ChannelEndRead<int>> inputs;
  for (int id = 0; id < producers; ++id) {
    inputs.push_back(+channels[id]);
    network.push_back(Producer(id, -channels[id]));
  }
  network.push_back(Merger(inputs));

  csp::Parallel(network);
  csp::shutdown();
}
