// Python's first Pool example: pool.map(f, range(10)) with f(x) = x * x, and apply_async.

#include <csp/csp.hpp>

#include <iostream>
#include <ranges>

int main() {
  csp::Pool pool(4);
  auto squares = pool.map([](int x) { return x * x; }, std::views::iota(0, 10));
  std::cout << '[';
  for (std::size_t i = 0; i < squares.size(); ++i) std::cout << (i ? ", " : "") << squares[i];
  std::cout << "]\n";

  auto result = pool.apply_async([](int x) { return x * x; }, 20);
  std::cout << "apply_async(f, 20).get() = " << result.get() << '\n';
  pool.close();
  pool.join();
  std::cout << "pool of " << pool.processes() << " closed and joined\n";
}
