// Porting guide, alternation: PyCSP's AltSelect, PriSelect, FairSelect, the four guards, guard
// actions and the reusable Alternation. docs/porting.md shows the marked snippets.

#include <chrono>
#include <csp/csp.hpp>
#include <cstdio>
#include <vector>

#include "check.hpp"

using namespace std::chrono_literals;

auto Send = csp::process([](csp::ChannelEndWrite<int> out, int v) { out(v); });

int main() {
  // [altselect]
  auto Choose = csp::process([](csp::ChannelEndRead<int> in1, csp::ChannelEndRead<int> in2) {
    auto r = csp::AltSelect(csp::InputGuard(in1), csp::InputGuard(in2));
    return r.index() == 0 ? r.value<int>() : -r.value<int>();
  });
  csp::Channel<int> c1, c2;
  auto [sent, got] = csp::Parallel(Send(-c2, 7), Choose(+c1, +c2));  // got == -7
  // [/altselect]
  check(got == -7, "AltSelect took the ready input");

  // [timeout_skip]
  auto Poll = csp::process([](csp::ChannelEndRead<int> in) {
    auto nothing = csp::PriSelect(csp::InputGuard(in), csp::SkipGuard());      // index 1
    auto late = csp::PriSelect(csp::InputGuard(in), csp::TimeoutGuard(20ms));  // index 1
    return nothing.index() + late.index();
  });
  csp::Channel<int> silent;
  auto [chosen] = csp::Parallel(Poll(+silent));  // 2
  // [/timeout_skip]
  check(chosen == 2, "SkipGuard and TimeoutGuard are chosen when nothing else is ready");

  // [output_guard]
  auto Offer = csp::process([](csp::ChannelEndWrite<int> out, csp::ChannelEndRead<int> in) {
    // Either send 42 or receive; the 42 is delivered if and only if guard 0 is chosen.
    auto r = csp::AltSelect(csp::OutputGuard(out, 42), csp::InputGuard(in));
    return r.index();
  });
  auto Take = csp::process([](csp::ChannelEndRead<int> in) { return in(); });
  csp::Channel<int> o, i;
  auto [index, taken] = csp::Parallel(Offer(-o, +i), Take(+o));  // 0, 42
  // [/output_guard]
  check(index == 0 && taken == 42, "an OutputGuard commits exactly once");

  // [actions]
  auto Merge = csp::process([](csp::ChannelEndRead<int> a, csp::ChannelEndRead<int> b) {
    std::vector<int> seen;
    csp::Alternation alt{csp::InputGuard(a, [&](int v) { seen.push_back(v); }),
                         csp::InputGuard(b, [&](int v) { seen.push_back(100 + v); })};
    for (int n = 0; n < 4; ++n) alt.fair_select();  // or select(), pri_select(), execute()
    return seen.size();
  });
  auto Twice = csp::process([](csp::ChannelEndWrite<int> out) { out(1); out(2); });
  csp::Channel<int> ma, mb;
  auto [t1, t2, merged] = csp::Parallel(Twice(-ma), Twice(-mb), Merge(+ma, +mb));  // 4
  // [/actions]
  check(merged == 4, "the actions ran once per choice");

  // [fair]
  auto Serve = csp::process([](csp::ChannelEndRead<int> a, csp::ChannelEndRead<int> b) {
    int from_a = 0;
    for (int n = 0; n < 10; ++n)
      from_a += csp::FairSelect(csp::InputGuard(a), csp::InputGuard(b)).index() == 0;
    return from_a;  // 5: with both always ready, FairSelect alternates
  });
  csp::Channel<int> fa(csp::Buffer{10}), fb(csp::Buffer{10});
  auto to_a = -fa, to_b = -fb;
  for (int n = 0; n < 10; ++n) {
    to_a(n);
    to_b(n);
  }
  auto [from_a] = csp::Parallel(Serve(+fa, +fb));
  // [/fair]
  check(from_a == 5, "FairSelect shares between always-ready guards");
  std::puts("alternation: all examples passed");
}
