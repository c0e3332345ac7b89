// The other OS process of the remote tests: joins (or serves) channels as told on its command
// line. Exit status 0 means it saw what it expected.
//   peer write PORT NAME N [CA]  writes 0..N-1 to NAME, then retires (over TLS, verifying the
//                                server against the CA file CA, if given)
//   peer process-write PORT NAME N BASE [CA]
//                                the same from a csp process, writing BASE..BASE+N-1
//   peer write-until-poisoned PORT NAME
//                                writes 0, 1, 2, ... from a csp process until poisoned, then
//                                prints how many writes returned
//   peer write-forever PORT NAME writes 0, 1, 2, ... until it is killed
//   peer readings PORT NAME N    writes N remote_test::Reading values, then retires
//   peer drain PORT IN OUT       reads IN until retired, then writes {count, sum} to OUT
//   peer serve-forever NAME      serves NAME, prints the port, writes 0, 1, ... until killed
//   peer serve-manager           serves manager "inventory" (dict "stock" with apples=3, value
//                                "count" whose lock it holds), prints the port, waits to be killed

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <utility>

#include "messages.hpp"

namespace {

std::uint16_t port_of(const char* s) { return static_cast<std::uint16_t>(std::atoi(s)); }

/// Port `port` of this machine, over TLS if `ca_file` is given.
csp::Connect here(const char* port, const char* ca_file) {
  csp::Connect at{"127.0.0.1", port_of(port)};
  if (ca_file) at.tls = csp::ConnectTls{ca_file};
  return at;
}

auto write_numbers = csp::process([](csp::ChannelEndWrite<int> out, int base, int n) {
  for (int i = 0; i < n; ++i) out(base + i);
  csp::retire(out);
});

int run(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "write" && (argc == 5 || argc == 6)) {
    csp::Channel<int> c(argv[3], here(argv[2], argc == 6 ? argv[5] : nullptr));
    auto out = -c;
    for (int i = 0, n = std::atoi(argv[4]); i < n; ++i) out(i);
    csp::retire(out);
    return 0;
  }
  if (mode == "process-write" && (argc == 6 || argc == 7)) {
    csp::Channel<int> c(argv[3], here(argv[2], argc == 7 ? argv[6] : nullptr));
    csp::Parallel(write_numbers(-c, std::atoi(argv[5]), std::atoi(argv[4])));
    return 0;
  }
  if (mode == "write-until-poisoned" && argc == 4) {
    csp::Channel<int> c(argv[3], csp::Connect{"127.0.0.1", port_of(argv[2])});
    auto writer = csp::process([](csp::ChannelEndWrite<int> out) {
      int i = 0;
      try {
        for (;; ++i) out(i);
      } catch (const csp::ChannelPoisonException&) {
      }
      return i;
    });
    auto [returned] = csp::Parallel(writer(-c));
    std::cout << returned << std::endl;
    return 0;
  }
  if (mode == "write-forever" && argc == 4) {
    csp::Channel<int> c(argv[3], csp::Connect{"127.0.0.1", port_of(argv[2])});
    auto out = -c;
    for (int i = 0;; ++i) out(i);
  }
  if (mode == "readings" && argc == 5) {
    csp::Channel<remote_test::Reading> c(argv[3], csp::Connect{"127.0.0.1", port_of(argv[2])});
    auto out = -c;
    for (int i = 0, n = std::atoi(argv[4]); i < n; ++i) out(remote_test::reading(i));
    csp::retire(out);
    return 0;
  }
  if (mode == "drain" && argc == 5) {
    csp::Connect at{"127.0.0.1", port_of(argv[2])};
    csp::Channel<int> from(argv[3], at);
    csp::Channel<std::pair<long, long>> report(argv[4], at);
    auto in = +from;
    auto out = -report;
    long count = 0, sum = 0;
    try {
      for (;;) {
        sum += in();
        ++count;
      }
    } catch (const csp::ChannelRetireException&) {
    }
    out({count, sum});
    csp::retire(out);
    return 0;
  }
  if (mode == "serve-forever" && argc == 3) {
    csp::Channel<int> c(argv[2]);
    std::cout << csp::serve(0) << std::endl;
    auto out = -c;
    for (int i = 0;; ++i) out(i);
  }
  if (mode == "serve-manager" && argc == 2) {
    csp::Manager m("inventory");
    m.dict<std::string, int>("stock").set("apples", 3);
    m.value<int>("count").get_lock().acquire();
    std::cout << csp::serve(0) << std::endl;
    for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
  }
  std::cerr << "peer: bad arguments\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "peer: " << e.what() << "\n";
    return 1;
  }
}
