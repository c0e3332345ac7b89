// Queue's error, out of line: its message is the same for every element type.

#include "csp/shared/queue.hpp"

namespace csp::detail {

Error closed_error(const std::string& name, const char* detail) {
  return Error("'" + name + "' is closed" + detail);
}

}  // namespace csp::detail
