// The umbrella header: everything a csp program uses.
// Programs include <csp/csp.hpp> and link csp::csp.
#pragma once

#include "csp/alternation.hpp"
#include "csp/channel.hpp"
#include "csp/configuration.hpp"
#include "csp/errors.hpp"
#include "csp/parallel.hpp"
#include "csp/process.hpp"
#include "csp/runtime.hpp"
#include "csp/shared/array.hpp"
#include "csp/shared/barrier.hpp"
#include "csp/shared/condition.hpp"
#include "csp/shared/event.hpp"
#include "csp/shared/lock.hpp"
#include "csp/shared/manager.hpp"
#include "csp/shared/pipe.hpp"
#include "csp/shared/pool.hpp"
#include "csp/shared/queue.hpp"
#include "csp/shared/semaphore.hpp"
#include "csp/shared/shared_memory.hpp"
#include "csp/shared/value.hpp"
