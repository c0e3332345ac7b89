// The runtime that hosts processes: started on first use, stopped at exit or by shutdown().
// shutdown() waits for every spawned process; the next use starts a fresh runtime.
#pragma once

namespace csp {

/// Waits for every process started with Spawn, then stops the runtime (threads, timers).
/// Processes still running that were not spawned are unwound and end with exit code -15, as
/// if terminated. A thread process is terminated (its channel operations fail from then on)
/// and given a second; one still blocked in a system call is left to end, with exit code -15,
/// when the call returns. Must not be called from inside a process.
void shutdown();

}  // namespace csp
