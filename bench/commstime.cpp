// commstime: a token circulates prefix -> delta -> succ -> prefix while delta also sends each
// value to the consumer that times the loop; four unbuffered communications per loop.
// Figure: us_per_comm, for csp, csp with tracing on, and the std::thread baseline running the
// same bodies.

#include <unistd.h>

#include <cstdio>
#include <csp/configuration.hpp>
#include <csp/runtime.hpp>
#include <string>

#include "baseline/thread_net.hpp"
#include "bench_support.hpp"
#include "csp_net.hpp"

namespace {

const auto prefix = [](auto in, auto out) {
  out.write(0);
  for (;;) out.write(in.read());
};
const auto delta = [](auto in, auto out, auto report) {
  for (;;) {
    const long v = in.read();
    out.write(v);
    report.write(v);
  }
};
const auto succ = [](auto in, auto out) {
  for (;;) out.write(in.read() + 1);
};

template <class Net>
void commstime(benchmark::State& state) {
  typename Net::template Channel<long> a, b, c, d;
  auto consumer = [&state](auto in) {
    for (auto _ : state) benchmark::DoNotOptimize(in.read());
    in.poison();  // stops the ring
  };
  Net::run(Net::process(prefix, c.reader(), a.writer()),
           Net::process(delta, a.reader(), b.writer(), d.writer()),
           Net::process(succ, b.reader(), c.writer()),
           Net::process(consumer, d.reader()));
  bench::report(state, "us_per_comm", 4);
}

// The same network with csp's tracer recording every communication to a file, measured in
// the same run: tracing's overhead is this figure over commstime/csp's.
void commstime_traced(benchmark::State& state) {
  std::string file = "/tmp/csp-bench-commstime-" + std::to_string(::getpid()) + ".trace";
  csp::shutdown();
  csp::Configuration{}.trace(file).apply();
  commstime<bench::CspNet>(state);
  csp::shutdown();
  csp::Configuration{}.apply();  // back to untraced for the figures that follow
  std::remove(file.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  bench::Flags flags(argc, argv, {});
  bench::add("commstime/csp", commstime<bench::CspNet>);
  bench::add("commstime/csp_traced", commstime_traced);
  bench::add("commstime/thread", commstime<baseline::ThreadNet>);
  return bench::run_registered();
}
