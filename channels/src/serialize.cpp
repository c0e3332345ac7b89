// The one out-of-line piece of message encoding: the error for malformed input.

#include "csp/detail/serialize.hpp"

#include <fmt/format.h>

#include "csp/errors.hpp"

namespace csp::detail {

void throw_bad_message(std::string_view type, std::string_view what) {
  throw Error(fmt::format("message of type '{}': {}", type, what));
}

}  // namespace csp::detail
