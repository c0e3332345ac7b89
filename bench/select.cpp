// select: a writer sends to channel i % n for i = 0, 1, ...; the reader takes each message by
// a select over all n channels (one of them has the writer), or, for comparison on the same
// workload, by a plain read of channel i % n. Figures: ns_per_select and ns_per_read per guards.

#include <vector>

#include "baseline/thread_net.hpp"
#include "bench_support.hpp"
#include "csp_net.hpp"

namespace {

const auto round_robin = [](auto outs) {
  for (long i = 0;; ++i) outs[i % outs.size()].write(i);
};

/// Builds n channels and runs the writer against `reader(ins)`.
template <class Net, class Reader>
void with_writer(benchmark::State& state, Reader reader) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<typename Net::template Channel<long>> channels(n);
  std::vector<decltype(channels[0].writer())> outs;
  std::vector<decltype(channels[0].reader())> ins;
  for (auto& c : channels) {
    outs.push_back(c.writer());
    ins.push_back(c.reader());
  }
  Net::run(Net::process(round_robin, outs), Net::process(reader, ins));
  state.counters["guards"] = static_cast<double>(n);
}

template <class Net>
void select(benchmark::State& state) {
  with_writer<Net>(state, [&state](auto ins) {
    typename Net::template Select<long> alt(ins);
    for (auto _ : state) benchmark::DoNotOptimize(alt());
    for (auto& in : ins) in.poison();
  });
  bench::report(state, "ns_per_select", 1);
}

template <class Net>
void plain_read(benchmark::State& state) {
  with_writer<Net>(state, [&state](auto ins) {
    std::size_t i = 0;
    for (auto _ : state) benchmark::DoNotOptimize(ins[i++ % ins.size()].read());
    for (auto& in : ins) in.poison();
  });
  bench::report(state, "ns_per_read", 1);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  bench::Flags flags(argc, argv, {});
  for (auto* b : {bench::add("select/csp", select<bench::CspNet>),
                  bench::add("select/csp", plain_read<bench::CspNet>),
                  bench::add("select/thread", select<baseline::ThreadNet>),
                  bench::add("select/thread", plain_read<baseline::ThreadNet>)})
    b->Arg(2)->Arg(8)->Arg(64);
  return bench::run_registered();
}
