// remote_rtt and remote_throughput: channels between two OS processes over loopback. This
// program serves the channels; a copy of itself started with --peer=PORT joins them.
// remote_rtt: a message to the echoing peer and back over two unbuffered remote channels.
// remote_throughput: small messages through a buffered remote channel, peer writing.

#include <csp/csp.hpp>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "bench_support.hpp"

extern char** environ;

namespace {

constexpr int burst = 2000;  // messages per throughput iteration

// The peer: echoes "ping" to "pong", and writes bursts to "flow" when asked on "more".
int peer(std::uint16_t port) {
  csp::Connect at{"127.0.0.1", port};
  csp::Channel<int> ping("ping", at), pong("pong", at), more("more", at), flow("flow", at);
  auto echo = csp::process([](csp::ChannelEndRead<int> in, csp::ChannelEndWrite<int> out) {
    for (;;) out(in());
  });
  auto pump = csp::process([](csp::ChannelEndRead<int> ask, csp::ChannelEndWrite<int> out) {
    for (;;)
      for (int i = 0, n = ask(); i < n; ++i) out(i);
  });
  try {
    csp::Parallel(echo(+ping, -pong), pump(+more, -flow));
  } catch (const csp::ChannelException&) {
  }
  return 0;
}

struct Peer {
  explicit Peer(const char* self, std::uint16_t port) {
    std::string arg = "--peer=" + std::to_string(port);
    char* argv[] = {const_cast<char*>(self), arg.data(), nullptr};
    posix_spawn(&pid, self, nullptr, nullptr, argv, environ);
  }
  ~Peer() {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  pid_t pid = 0;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  bench::Flags flags(argc, argv, {"peer"});
  if (flags.has("peer")) return peer(static_cast<std::uint16_t>(flags.number("peer", 0)));
  const std::string figure = CSP_FIGURE;

  csp::Channel<int> ping("ping"), pong("pong"), more("more"), flow("flow", csp::Buffer{256});
  Peer other(argv[0], csp::serve(0));
  auto out = -ping;
  auto in = +pong;
  auto ask = -more;
  auto items = +flow;
  out(0);  // waits for the peer to start and join: not part of any figure
  in();
  ask(1);
  items();
  if (figure == "remote_rtt") bench::add("remote_rtt/csp", [&](benchmark::State& state) {
    for (auto _ : state) {
      out(1);
      benchmark::DoNotOptimize(in());
    }
    bench::report(state, "us_per_roundtrip", 1);
  });
  if (figure == "remote_throughput") bench::add("remote_throughput/csp", [&](benchmark::State& state) {
    for (auto _ : state) {
      ask(burst);
      long sum = 0;
      for (int i = 0; i < burst; ++i) sum += items();
      benchmark::DoNotOptimize(sum);
    }
    bench::report(state, "msgs_per_s", burst);
  });
  return bench::run_registered();
}
