// Small reusable processes, ported from PyCSP's pycsp.common.plugNplay module: the building
// blocks the fibonacci and commstime examples wire into networks. Each is named after itself,
// for deadlock messages and traces.
#pragma once

#include <csp/csp.hpp>

namespace plug_n_play {

/// Outputs `first`, then copies its input to its output: the one-place delay that starts a ring.
inline const auto Prefix =
    csp::process("Prefix", []<class T>(csp::ChannelEndRead<T> in, csp::ChannelEndWrite<T> out, T first) {
      out(first);
      for (;;) out(in());
    });

/// Copies each input to both outputs, serving whichever output is ready first (PyCSP's Delta2:
/// an alternation over two output guards, so neither consumer can hold up the other).
inline const auto Delta2 = csp::process("Delta2", []<class T>(csp::ChannelEndRead<T> in,
                                                    csp::ChannelEndWrite<T> out1,
                                                    csp::ChannelEndWrite<T> out2) {
  for (;;) {
    const T v = in();
    if (csp::AltSelect(csp::OutputGuard(out1, v), csp::OutputGuard(out2, v)).index() == 0)
      out2(v);
    else
      out1(v);
  }
});

/// Copies each input to `out1`, then to `out2`: the sequential delta that commstime measures.
inline const auto SeqDelta2 = csp::process("SeqDelta2", []<class T>(csp::ChannelEndRead<T> in,
                                                       csp::ChannelEndWrite<T> out1,
                                                       csp::ChannelEndWrite<T> out2) {
  for (;;) {
    const T v = in();
    out1(v);
    out2(v);
  }
});

/// Outputs each input plus one.
inline const auto Successor =
    csp::process("Successor", []<class T>(csp::ChannelEndRead<T> in, csp::ChannelEndWrite<T> out) {
      for (;;) out(in() + 1);
    });

/// Outputs the sum of one input from each of its two inputs.
inline const auto Plus = csp::process("Plus",
    []<class T>(csp::ChannelEndRead<T> in1, csp::ChannelEndRead<T> in2, csp::ChannelEndWrite<T> out) {
      for (;;) {
        const T a = in1();
        out(a + in2());
      }
    });

/// Drops the first input, then copies the rest.
inline const auto Tail =
    csp::process("Tail", []<class T>(csp::ChannelEndRead<T> in, csp::ChannelEndWrite<T> out) {
      in();
      for (;;) out(in());
    });

/// Outputs the sum of each two consecutive inputs. A network itself: Delta2 feeds Plus directly
/// and through Tail, which lags one value behind.
inline const auto Pairs =
    csp::process("Pairs", []<class T>(csp::ChannelEndRead<T> in, csp::ChannelEndWrite<T> out) {
      csp::Channel<T> direct, to_tail, lagged;
      csp::Parallel(Delta2(in, -direct, -to_tail),
                    Plus(+direct, +lagged, out),
                    Tail(+to_tail, -lagged));
    });

}  // namespace plug_n_play
