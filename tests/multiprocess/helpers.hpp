// What several multiprocess tests do in their children: note how a request ended, and terminate
// a process once it says it is about to wait.
#pragma once

#include <string>

#include <csp/csp.hpp>

/// What a request did: its answer, or "error: " and the csp::Error's message.
template <class F>
std::string attempt(F f) {
  try {
    return f();
  } catch (const csp::Error& e) {
    return std::string("error: ") + e.what();
  }
}

/// Starts the process `make(waiting)`, which writes once on `waiting` before it waits; once that
/// is read and `then()` has returned, terminates the process and joins it.
template <class Make, class F>
void terminate_while_waiting(Make make, F then) {
  csp::Channel<int> waiting;
  auto p = make(waiting.writer());
  p.start();
  waiting.reader()();
  then();
  p.terminate();
  p.join();
}
