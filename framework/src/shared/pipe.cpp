// Pipe's errors, out of line: their messages are the same for every message type.

#include "csp/shared/pipe.hpp"

namespace csp::detail {

Error pipe_error(const std::string& pipe, const char* what) {
  return Error("'" + pipe + "': " + what);
}

EOFError pipe_eof(const std::string& pipe) {
  return EOFError("'" + pipe + "': the other end is closed and nothing is left to receive");
}

}  // namespace csp::detail
