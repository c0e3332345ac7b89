// A pipeline split over two OS processes on loopback. This program serves channels "numbers"
// and "squares", then starts a copy of itself (--worker PORT) that joins them, squares every
// number it reads, and retires; the first process produces and consumes.
//
//   [process 1] Producer --numbers--> [process 2] Squarer --squares--> [process 1] Consumer
//
// Usage: remote_pipeline [count]   (squares 1..count, default 100)

#include <csp/csp.hpp>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <string>

extern char** environ;

// The remote half: reads until the producer retires; the ChannelRetireException that ends the
// loop ends the process, which retires its ends, so the consumer learns it too.
const auto Squarer = csp::process([](csp::ChannelEndRead<long> in, csp::ChannelEndWrite<long> out) {
  for (;;) {
    long n = in();
    out(n * n);
  }
});

int worker(std::uint16_t port) {
  csp::Connect server{"127.0.0.1", port};
  csp::Channel<long> numbers("numbers", server), squares("squares", server);
  csp::Parallel(Squarer(+numbers, -squares));
  return 0;
}

const auto Producer = csp::process([](csp::ChannelEndWrite<long> out, long count) {
  for (long n = 1; n <= count; ++n) out(n);
  csp::retire(out);
});

const auto Consumer = csp::process([](csp::ChannelEndRead<long> in) {
  long received = 0, sum = 0;
  try {
    for (;;) {
      sum += in();
      ++received;
    }
  } catch (const csp::ChannelRetireException&) {
  }
  std::cout << received << " squares received from the other process, sum = " << sum << "\n";
});

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--worker") == 0) return worker(static_cast<std::uint16_t>(std::stoi(argv[2])));
  long count = argc > 1 ? std::stol(argv[1]) : 100;

  csp::Channel<long> numbers("numbers"), squares("squares");
  std::string port = std::to_string(csp::serve(0));  // 127.0.0.1, any free port
  char flag[] = "--worker";
  char* child_argv[] = {argv[0], flag, port.data(), nullptr};
  pid_t pid;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, child_argv, environ) != 0) {
    std::cerr << "cannot start the worker process\n";
    return 1;
  }
  std::cout << "Squaring 1.." << count << " in process " << pid << ", served on port " << port << "\n";
  csp::Parallel(Producer(-numbers, count), Consumer(+squares));
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::cout << "worker exited with status " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1) << "\n";
  return 0;
}
