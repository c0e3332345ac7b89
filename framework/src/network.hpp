// The network as the runtime sees it now: its processes (running, parked on what, ended) and
// the channels behind their ends. Feeds dump_network, the Deadlock message and the trace.
#pragma once

#include <cstddef>
#include <string>

#include "csp/detail/process_base.hpp"

namespace csp::detail {

class Runtime;

/// Makes the processes of a Parallel (or join) known while it waits for them, so that the
/// ones that have ended are still listed.
class JoinedGroup {
 public:
  JoinedGroup(ProcessBase* const* procs, std::size_t n);
  ~JoinedGroup();
  JoinedGroup(const JoinedGroup&) = delete;
  JoinedGroup& operator=(const JoinedGroup&) = delete;

 private:
  friend std::vector<std::shared_ptr<ProcessBase>> known_processes(Runtime* runtime);
  ProcessBase* const* procs_;
  std::size_t n_;
  JoinedGroup* prev_ = nullptr;
  JoinedGroup* next_ = nullptr;
};

/// Every process being joined, then those `runtime` (if any) hosts or spawned; no repeats.
std::vector<std::shared_ptr<ProcessBase>> known_processes(Runtime* runtime);

/// One line per process, then one per channel, each indented by two spaces; after `limit`
/// processes (and `limit` channels) a count of the rest.
std::string describe_network(Runtime* runtime, std::size_t limit);

/// Records every parked process and what it waits on in the trace.
void trace_blocked(Runtime& runtime);

}  // namespace csp::detail
