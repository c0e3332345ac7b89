// A Manager's Namespace updated by a child process (ns.x += 5; ns.y *= 10 in Python).

#include <csp/csp.hpp>

#include <iostream>

namespace {

const auto Child = csp::process([](csp::Namespace ns) {
  ns.update<int>("x", [](int& x) { x += 5; });
  ns.update<int>("y", [](int& y) { y *= 10; });
  ns.set("by", "the child");
});

}  // namespace

int main() {
  csp::Manager manager;
  auto ns = manager.Namespace();
  ns.set("x", 1);
  ns.set("y", 2);
  std::cout << "before: x = " << ns.get<int>("x") << ", y = " << ns.get<int>("y") << '\n';
  csp::Parallel(Child(ns));
  std::cout << "after:  x = " << ns.get<int>("x") << ", y = " << ns.get<int>("y")
            << " (updated by " << ns.get<std::string>("by") << ")\n";
}
