// The arguments and result of a multiprocess body as bytes, in the message encoding that
// channels use across processes (built-ins and CSP_MESSAGE_TYPE types).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "csp/detail/serialize.hpp"

namespace csp::detail {

template <class... Args>
std::string encode_args(const std::tuple<Args...>& args) {
  static_assert((message<Args> && ...),
                "csp::multiprocess: every argument and the result must be a message type "
                "(a built-in, or a type announced with CSP_MESSAGE_TYPE)");
  std::vector<std::byte> out;
  out.reserve(256);  // also keeps GCC 12 from false -Wstringop-overflow on a known-empty vector
  encode(args, out);
  return std::string(reinterpret_cast<const char*>(out.data()), out.size());
}

template <class Tuple>
Tuple decode_args(std::string_view bytes) {
  return decode<Tuple>(std::as_bytes(std::span(bytes.data(), bytes.size())));
}

}  // namespace csp::detail
