// csp's side of each figure: csp processes and channels behind the small interface the figures
// are written against, so the baseline (baseline/thread_net.hpp) runs the very same bodies.
#pragma once

#include <csp/alternation.hpp>
#include <csp/channel.hpp>
#include <csp/parallel.hpp>

#include <utility>
#include <vector>

namespace bench {

struct CspNet {
  template <class T>
  using Channel = csp::Channel<T>;

  /// A process running `body(ends...)`; a poisoned body poisons its ends (csp does that).
  template <class F, class... Ends>
  static auto process(F body, Ends... ends) {
    return csp::process(std::move(body))(std::move(ends)...);
  }

  template <class... Ps>
  static void run(Ps... ps) {
    csp::Parallel(std::move(ps)...);
  }
  template <class P>
  static void run_all(std::vector<P>& ps) {
    csp::Parallel(ps);
  }

  /// An alternation over one InputGuard per end, built once and reused, as a serving loop does.
  template <class T>
  class Select {
   public:
    explicit Select(const std::vector<csp::ChannelEndRead<T>>& ins) {
      guards_.reserve(ins.size());
      for (const auto& in : ins) guards_.emplace_back(in);
    }
    T operator()() { return std::move(csp::AltSelect(guards_).template value<T>()); }

   private:
    std::vector<csp::InputGuard<T>> guards_;
  };
};

}  // namespace bench
