// commstime: a token circulates prefix -> delta -> succ -> prefix while delta also sends each
// value to the consumer that times the loop; four unbuffered communications per loop.
// Figure: us_per_comm, for csp and for the std::thread baseline running the same bodies.

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

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  bench::Flags flags(argc, argv, {});
  bench::add("commstime/csp", commstime<bench::CspNet>);
  bench::add("commstime/thread", commstime<baseline::ThreadNet>);
  return bench::run_registered();
}
