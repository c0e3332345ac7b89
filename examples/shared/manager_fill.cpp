// Ten processes fill a Manager's dict and list at the same time (Python's Manager example,
// scaled up): every entry arrives exactly once.

#include <csp/csp.hpp>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

namespace {

const auto Fill = csp::process([](csp::Dict<int, std::string> d, csp::List<int> l, int i) {
  d.set(i, std::to_string(i * i));
  l.append(i);
});

}  // namespace

int main() {
  csp::Manager manager;
  auto d = manager.dict<int, std::string>();
  auto l = manager.list<int>();

  std::vector<csp::Process<>> procs;
  for (int i = 0; i < 10; ++i) procs.push_back(Fill(d, l, i));
  csp::Parallel(procs);

  std::cout << "dict: {";
  for (const auto& [k, v] : d.items()) std::cout << (k ? ", " : "") << k << ": '" << v << '\'';
  std::vector<int> items = l.snapshot();
  std::ranges::sort(items);  // appended in whatever order the processes ran
  std::cout << "}\nlist (sorted):";
  for (int x : items) std::cout << ' ' << x;
  std::cout << "\n" << d.size() << " entries, " << items.size() << " items\n";
}
