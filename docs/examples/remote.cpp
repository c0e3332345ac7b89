// Porting guide, remote channels and managers: PyCSP's Channel('A', connect=...) and Python's
// BaseManager as csp::serve and csp::Connect, with a user message type. docs/porting.md shows
// the marked snippets.

#include <csp/csp.hpp>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "check.hpp"

// [message_type]
struct Point {
  double x, y;
  std::string label;
};
CSP_MESSAGE_TYPE(Point);  // once, at namespace scope: Point may now cross OS processes
// [/message_type]

// [connect]
// The other program (here a child OS process): joins channel "A" where it is served.
auto Plotter = csp::multiprocess([](std::uint16_t port, std::string key) {
  csp::Channel<Point> a("A", csp::Connect{"127.0.0.1", port, key});
  auto out = a.writer();
  for (int i = 0; i < 3; ++i) out(Point{i * 1.0, i * 2.0, "p" + std::to_string(i)});
  csp::retire(out);  // the serving side's reader sees ChannelRetireException
});
// [/connect]

// [manager_connect]
// The other program: uses the dict and list of the served manager "inventory", by name.
auto Restock = csp::multiprocess([](std::uint16_t port, std::string key) {
  csp::Manager m("inventory", csp::Connect{"127.0.0.1", port, key});
  auto stock = m.dict<std::string, int>("stock");  // csp::Error if "stock" is not that type
  stock.set("pears", stock.get("apples") + 2);  // each request is one round trip
  m.list<std::string>("log").append("restocked");
});
// [/manager_connect]

int main() {
  csp::multiprocess_main();
  // [serve]
  csp::Channel<Point> a("A");  // named channels of this runtime are served
  std::uint16_t port = csp::serve(0, {.auth_key = "secret"});  // 127.0.0.1, any free port
  auto plotter = Plotter(port, "secret");
  plotter.start();
  auto in = a.reader();
  double sum = 0;
  try {
    for (;;) sum += in().y;  // 0 + 2 + 4, read as from any local writer
  } catch (const csp::ChannelRetireException&) {
  }
  plotter.join();
  // [/serve]
  check(sum == 6.0 && plotter.exitcode() == 0, "three points crossed and the writer retired");

  bool refused = false;
  try {
    csp::Channel<Point> wrong("A", csp::Connect{"127.0.0.1", port, "not the key"});
  } catch (const csp::Error&) {
    refused = true;
  }
  check(refused, "a wrong auth key is refused");

  bool mismatch = false;
  try {
    csp::Channel<int> ints("A", csp::Connect{"127.0.0.1", port, "secret"});
  } catch (const csp::Error& e) {
    mismatch = std::string(e.what()).find("carries 'Point', not 'i32'") != std::string::npos;
  }
  check(mismatch, "joining with another message type names both types");

  // [manager_serve]
  csp::Manager m("inventory");  // named managers are served too (also those made later)
  auto stock = m.dict<std::string, int>("stock");  // the same dict for the same name
  stock.set("apples", 3);
  auto log = m.list<std::string>("log");
  csp::Parallel(Restock(port, "secret"));
  // [/manager_serve]
  check(stock.get("pears") == 5 && log.snapshot() == std::vector<std::string>{"restocked"},
        "a child process used the served dict and list");
  csp::shutdown();
  std::puts("remote: all examples passed");
}
