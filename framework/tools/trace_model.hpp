// A trace file read back into processes and channels: who started and ended when, who read
// and wrote how many messages on which channel, who was blocked at the end. csp-trace's input.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "trace_format.hpp"

namespace csp::trace_tool {

using detail::trace::End;
using detail::trace::Kind;

/// A trace file that cannot be read: missing, not a trace, or damaged.
class BadTrace : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Event {
  std::uint64_t time_ns;
  Kind kind;
  int channel;        // index into Trace::channels, or -1
  std::uint32_t arg;  // guard index for alternation choices
};

struct Process {
  std::string name;
  bool is_process = true;  // false: a thread that is not a process (main, say)
  std::uint64_t start_ns = 0;
  std::uint64_t end_ns = 0;  // valid when ended
  bool ended = false;
  End how = End::returned;
  std::string blocked_on;  // what it waited on when last seen parked, unless it went on
  std::vector<Event> events;
  /// Parked at the end of the trace (and ended, if at all, only by the runtime's stop).
  bool blocked() const { return !blocked_on.empty(); }
};

struct Channel {
  std::string name;
  std::uint64_t reads = 0;   // messages taken (plain reads and chosen input guards)
  std::uint64_t writes = 0;  // messages given (plain writes and chosen output guards)
  std::map<int, std::uint64_t> read_by, written_by;  // per process index
  std::set<int> readers, writers;  // processes that held or used each side
  bool poisoned = false;
  bool retired = false;
};

struct Trace {
  std::vector<Process> processes;
  std::vector<Channel> channels;
  std::uint64_t end_ns = 0;  // the last record's time
  bool complete = false;     // the runtime's stop was recorded
  std::uint64_t records = 0;

  /// Reads `file`; BadTrace says why it cannot. A record cut off at the end (a program that
  /// crashed) is dropped, and `complete` stays false.
  static Trace load(const std::string& file);

  /// Index of the process or channel named `name`, or -1.
  int process(const std::string& name) const;
  int channel(const std::string& name) const;
};

/// The name shown for a kind of record ("read", "alt_input", ...).
const char* kind_name(Kind kind);
/// How a process ended, in words.
const char* end_name(End how);

}  // namespace csp::trace_tool
