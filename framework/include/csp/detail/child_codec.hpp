// The arguments and result of a multiprocess body as bytes. Until the message serializer
// lands, only arithmetic types cross (copied as they are: parent and child are one program).
#pragma once

#include <cstring>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

namespace csp::detail {

template <class... Args>
std::string encode_args(const std::tuple<Args...>& args) {
  static_assert((std::is_arithmetic_v<Args> && ...),
                "csp::multiprocess: only arithmetic arguments and results cross for now");
  std::string out;
  std::apply([&out](const Args&... a) { (out.append(reinterpret_cast<const char*>(&a), sizeof a), ...); },
             args);
  return out;
}

template <class Tuple>
Tuple decode_args(std::string_view bytes) {
  Tuple t{};
  std::size_t at = 0;
  std::apply(
      [&](auto&... a) {
        ((at + sizeof a <= bytes.size() ? std::memcpy(&a, bytes.data() + at, sizeof a) : nullptr,
          at += sizeof a),
         ...);
      },
      t);
  return t;
}

}  // namespace csp::detail
