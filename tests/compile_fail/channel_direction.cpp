// Compile-fail snippet: channel ends only go one way. CASE 0 uses each end in its own direction
// and must compile (the control); every other CASE uses an end against its direction and must not.
#include <csp/csp.hpp>

void use(csp::Channel<int>& c) {
  auto in = c.reader();
  auto out = c.writer();
#if CASE == 0
  out(1);
  out.write(2);
  int v = in();
  v += in.read();
  (void)v;
  csp::InputGuard input(in);
  csp::OutputGuard output(out, 1);
#elif CASE == 1
  in(1);  // writing to a read end
#elif CASE == 2
  in.write(1);
#elif CASE == 3
  int v = out();  // reading from a write end
  (void)v;
#elif CASE == 4
  int v = out.read();
  (void)v;
#elif CASE == 5
  csp::OutputGuard guard(in, 1);  // an output guard on a read end
#elif CASE == 6
  csp::InputGuard guard(out);  // an input guard on a write end
#endif
}
