// The std::thread baseline side of each figure: one OS thread per process, ThreadChannel between
// them, behind the interface the figures are written against (bench/csp_net.hpp is csp's side).
#pragma once

#include <functional>
#include <span>
#include <thread>
#include <utility>
#include <vector>

#include "thread_channel.hpp"

namespace baseline {

struct ThreadNet {
  template <class T>
  using Channel = ThreadChannel<T>;

  /// A process not started yet: its body bound to its ends.
  class Process {
   public:
    explicit Process(std::function<void()> body) : body_(std::move(body)) {}
    std::jthread start() { return std::jthread(std::move(body_)); }

   private:
    std::function<void()> body_;
  };

  /// `body(ends...)` on its own thread. As in PyCSP, a body ended by poison poisons its ends,
  /// so poisoning any channel stops the whole network.
  template <class F, class... Ends>
  static Process process(F body, Ends... ends) {
    return Process([body = std::move(body), ends...]() mutable {
      try {
        body(ends...);
      } catch (const Poisoned&) {
        (poison(ends), ...);
      }
    });
  }

  /// Runs the processes at once; returns when all have ended.
  template <class... Ps>
  static void run(Ps... ps) {
    std::jthread threads[] = {ps.start()...};
  }
  static void run_all(std::vector<Process>& ps) {
    std::vector<std::jthread> threads;
    threads.reserve(ps.size());
    for (Process& p : ps) threads.push_back(p.start());
  }

  /// Reads from whichever of the channels behind `ins` has a writer.
  template <class T>
  class Select {
   public:
    explicit Select(const std::vector<In<T>>& ins) {
      for (const In<T>& in : ins) channels_.push_back(in.channel);
    }
    T operator()() { return select(std::span<ThreadChannel<T>* const>(channels_)).second; }

   private:
    std::vector<ThreadChannel<T>*> channels_;
  };

 private:
  template <class E>
  static void poison(const E& end) {
    end.poison();
  }
  template <class E>
  static void poison(const std::vector<E>& ends) {
    for (const E& e : ends) e.poison();
  }
};

}  // namespace baseline
