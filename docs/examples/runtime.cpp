// Porting guide, the runtime: Configuration, deadlock detection, dump_network and tracing.
// docs/porting.md shows the marked snippets.

#include <unistd.h>

#include <csp/csp.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>

#include "check.hpp"

auto Forward = csp::process([](csp::ChannelEndRead<int> in, csp::ChannelEndWrite<int> out) {
  out(in());
});

int main() {
  std::string trace_file =
      (std::filesystem::temp_directory_path() / ("porting-" + std::to_string(::getpid()) + ".trace"))
          .string();
  // [configuration]
  csp::Configuration{}.threads(2).stack_size(128 * 1024).trace(trace_file).apply();
  // or run the program with CSP_TRACE=file in its environment
  // [/configuration]

  // [deadlock]
  csp::Channel<int> a("a"), b("b");
  std::string report;
  try {
    csp::Parallel(Forward(+a, -b).name("left"), Forward(+b, -a).name("right"));
  } catch (const csp::Deadlock& e) {
    report = e.what();
    // deadlock: every process is blocked and nothing can wake any of them
    // 2 processes and 2 channels:
    //   process 'left' waits on a read from channel 'a'
    //   process 'right' waits on a read from channel 'b'
    //   channel 'a': 1 reader and 1 writer joined, 1 reader and 0 writers waiting
    //   ...
  }
  // [/deadlock]
  check(report.find("process 'left' waits on a read from channel 'a'") != std::string::npos,
        "the Deadlock message names the blocked processes");

  // [dump_network]
  std::ostringstream snapshot;
  csp::dump_network(snapshot);  // the same snapshot, at any time, e.g. std::cerr
  // [/dump_network]
  check(snapshot.str().find("process 'right' waits on a read from channel 'b'") != std::string::npos,
        "dump_network shows the parked processes");

  csp::shutdown();
  check(std::filesystem::file_size(trace_file) > 0, "the trace was written");
  std::filesystem::remove(trace_file);
  std::puts("runtime: all examples passed");
}
