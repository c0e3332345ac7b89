// Producer and consumer over a bounded Queue, ending with a sentinel as Python programs put
// None: the consumer receives every item, in order.

#include <csp/csp.hpp>

#include <iostream>
#include <optional>

namespace {

using Item = std::optional<int>;  // std::nullopt: no more items

const auto Producer = csp::process([](csp::Queue<Item> q, int n) {
  for (int i = 1; i <= n; ++i) q.put(i);  // parks while the queue is full
  q.put(std::nullopt);
});

const auto Consumer = csp::process([](csp::Queue<Item> q) {
  long sum = 0;
  int count = 0, last = 0;
  bool ordered = true;
  while (Item item = q.get()) {
    ordered = ordered && *item == last + 1;
    last = *item;
    sum += *item;
    ++count;
  }
  std::cout << "consumed " << count << " items " << (ordered ? "in order" : "OUT OF ORDER")
            << ", sum " << sum << '\n';
});

}  // namespace

int main() {
  csp::Queue<Item> q(10);
  csp::Parallel(Producer(q, 1000), Consumer(q));
  std::cout << "queue empty at the end: " << std::boolalpha << q.empty() << '\n';
}
