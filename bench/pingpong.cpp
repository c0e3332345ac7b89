// pingpong: one process sends a message, the other sends it back, over two unbuffered
// channels. Figure: ns_per_msg (one way), for csp and for the std::thread baseline.

#include "baseline/thread_net.hpp"
#include "bench_support.hpp"
#include "csp_net.hpp"

namespace {

const auto echo = [](auto in, auto out) {
  for (;;) out.write(in.read());
};

template <class Net>
void pingpong(benchmark::State& state) {
  typename Net::template Channel<long> ping, pong;
  auto pinger = [&state](auto out, auto in) {
    for (auto _ : state) {
      out.write(1);
      benchmark::DoNotOptimize(in.read());
    }
    out.poison();  // stops the echo
  };
  Net::run(Net::process(pinger, ping.writer(), pong.reader()),
           Net::process(echo, ping.reader(), pong.writer()));
  bench::report(state, "ns_per_msg", 2);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  bench::Flags flags(argc, argv, {});
  bench::add("pingpong/csp", pingpong<bench::CspNet>);
  bench::add("pingpong/thread", pingpong<baseline::ThreadNet>);
  return bench::run_registered();
}
