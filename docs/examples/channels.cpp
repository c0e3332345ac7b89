// Porting guide, channels: PyCSP's Channel, its ends, reading and writing, retire and poison,
// and the misuse that csp::Error reports. docs/porting.md shows the marked snippets.

#include <csp/csp.hpp>
#include <cstdio>
#include <string>

#include "check.hpp"

// [pipeline]
auto Source = csp::process([](csp::ChannelEndWrite<int> out) {
  for (int i = 1; i <= 3; ++i) out(i);
  csp::retire(out);
});

auto Times10 = csp::process([](csp::ChannelEndRead<int> in, csp::ChannelEndWrite<int> out) {
  for (;;) out(in() * 10);  // the retire ends the loop; escaping, it retires `out` too
});

auto Sink = csp::process([](csp::ChannelEndRead<int> in) {
  int sum = 0;
  try {
    for (;;) sum += in();
  } catch (const csp::ChannelRetireException&) {
  }
  return sum;
});
// [/pipeline]

int main() {
  // [channel]
  csp::Channel<int> a;                         // rendezvous
  csp::Channel<int> b("B");                    // named (names are unique)
  csp::Channel<int> c("C", csp::Buffer{3});    // buffered: holds up to 3
  auto out = -c;                               // or c.writer()
  auto in = +c;                                // or c.reader()
  out(1);
  out.write(2);                                // buffered: returns at once
  int x = in();
  int y = in.read();
  std::string name = a.name();                 // a generated name, "channel#1" or so
  // [/channel]
  check(x == 1 && y == 2 && b.name() == "B", "buffered channel keeps order");
  check(!name.empty(), "anonymous channels get a name");

  // [retire]
  csp::Channel<int> p, q;
  auto [s, t, total] = csp::Parallel(Source(-p), Times10(+p, -q), Sink(+q));  // total == 60
  // [/retire]
  check(total == 60, "retire travels down the pipeline");

  // [poison]
  auto Forever = csp::process([](csp::ChannelEndWrite<int> out) {
    for (int i = 0;; ++i) out(i);  // ends when the channel is poisoned
  });
  auto TakeThree = csp::process([](csp::ChannelEndRead<int> in) {
    int sum = in() + in() + in();
    csp::poison(in);
    return sum;
  });
  csp::Channel<int> r;
  auto [f, taken] = csp::Parallel(Forever(-r), TakeThree(+r));  // taken == 0 + 1 + 2
  // [/poison]
  check(taken == 3, "poison stops the writer");

  // [any_to_any]
  csp::Channel<int> shared;
  auto [x1, x2, got1, got2] =
      csp::Parallel(Source(-shared), Source(-shared), Sink(+shared), Sink(+shared));
  // every message goes to exactly one reader: got1 + got2 == 12; the channel retires once
  // both writers have retired
  // [/any_to_any]
  check(got1 + got2 == 12, "any-to-any: each message to exactly one reader");

  // [errors]
  std::string error;
  try {
    csp::Channel<int> again("B");  // "B" exists already
  } catch (const csp::Error& e) {
    error = e.what();  // "channel 'B' already exists"
  }
  // [/errors]
  check(error == "channel 'B' already exists", "a duplicate name is a csp::Error");
  std::puts("channels: all examples passed");
}
