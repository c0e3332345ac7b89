// Array's bounds check, out of line: its message is the same for every element type.

#include "csp/shared/array.hpp"

namespace csp::detail {

void check_index(const std::string& object, std::size_t i, std::size_t size) {
  if (i >= size)
    throw Error("index " + std::to_string(i) + " out of range for '" + object + "' of size " +
                std::to_string(size));
}

}  // namespace csp::detail
