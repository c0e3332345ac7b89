// csp::dump_network: a snapshot of the running network, for people debugging a program that
// hangs or misbehaves. The Deadlock exception's message is the same snapshot.
#pragma once

#include <iosfwd>

namespace csp {

/// Prints every process the runtime knows (running, parked and on what, or ended while its
/// Parallel still waits) and the channels behind their channel-end arguments, with how many
/// readers and writers joined and wait.
void dump_network(std::ostream& out);

}  // namespace csp
