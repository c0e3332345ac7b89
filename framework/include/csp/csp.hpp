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
