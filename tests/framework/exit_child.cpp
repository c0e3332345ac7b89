// A program that leaves main (or calls exit) while processes it spawned still run, for
// fault_test to check that it ends cleanly with main's exit code. argv[1] picks the situation.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <csp/csp.hpp>

namespace {

// Outlives main: processes still parked on it when exit() runs are unwound by the runtime.
csp::Channel<int> forever("exit-child-forever");

const auto Ponger = csp::process([](csp::ChannelEndRead<int> in, csp::ChannelEndWrite<int> out) {
  for (;;) out(in() + 1);
});

const auto Parked = csp::process([](csp::ChannelEndRead<int> in) { return in(); });

const auto Sleeper = csp::thread_process([](int fd) {
  char byte;
  return ::read(fd, &byte, 1);  // nobody ever writes: blocked in the kernel until exit
});

}  // namespace

int main(int argc, char** argv) {
  std::string what = argc > 1 ? argv[1] : "";
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return 90;

  // Processes parked on a channel that outlives main, two processes passing a counter back
  // and forth as fast as they can, and a thread process blocked in read().
  for (int i = 0; i < 100; ++i) csp::Spawn(Parked(+forever));
  csp::Channel<int> ping, pong;
  csp::Spawn(Ponger(+ping, -pong), Ponger(+pong, -ping));
  ping.writer()(0);
  csp::Spawn(Sleeper(pipe_fds[0]));
  // A timer still pending at exit.
  csp::Spawn(csp::Process<>([] { csp::AltSelect(csp::TimeoutGuard(std::chrono::hours(1))); }));

  std::puts("spawned");
  std::fflush(stdout);
  if (what == "exit") std::exit(4);  // main's locals (the ping-pong channels) stay alive
  if (what == "return") return 3;    // main's locals are destroyed before the runtime stops
  return 91;
}
