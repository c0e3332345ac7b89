// The runtime that hosts processes: started on first use, stopped at exit or by shutdown().
// shutdown() waits for every spawned process; the next use starts a fresh runtime.
#pragma once

namespace csp {

/// Waits for every process started with Spawn, then stops the runtime (threads, timers).
/// Must not be called from inside a process.
void shutdown();

}  // namespace csp
