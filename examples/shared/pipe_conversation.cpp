// A conversation over a duplex Pipe: each side sends a line and waits for the other's.

#include <csp/csp.hpp>

#include <iostream>
#include <string>
#include <syncstream>

namespace {

void say(const std::string& who, const std::string& line) {
  std::osyncstream(std::cout) << who << ": " << line << '\n';
}

const auto Parent = csp::process([](csp::Connection<std::string> conn) {
  for (const char* line : {"hello child", "how are you?", "bye"}) {
    conn.send(line);
    say("parent heard", conn.recv());
  }
});

const auto Child = csp::process([](csp::Connection<std::string> conn) {
  for (const char* line : {"hello parent", "fine, thanks", "bye"}) {
    say("child heard", conn.recv());
    conn.send(line);
  }
});

}  // namespace

int main() {
  auto [parent_end, child_end] = csp::Pipe<std::string>();
  csp::Parallel(Parent(parent_end), Child(child_end));
  std::cout << "nothing left to read: " << std::boolalpha << !parent_end.poll() << '\n';
}
