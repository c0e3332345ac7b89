// Fuzz target for message decoding: any bytes, decoded as one of several message types, must
// either give csp::Error or a value that encodes back to the same bytes (the encoding is
// canonical, except that a map's keys may arrive in any order).

#include <csp/detail/serialize.hpp>
#include <csp/errors.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

namespace fuzz {
enum class Kind : std::uint16_t { a, b };

struct Point {
  double x;
  std::int8_t y;
};
CSP_MESSAGE_TYPE(Point);

struct Shape {
  std::string name;
  std::vector<Point> points;
  std::optional<Kind> kind;
  std::vector<std::vector<bool>> grid;
};
CSP_MESSAGE_TYPE(Shape);

class Account {
 public:
  template <class Inspector>
  friend void inspect(Inspector& f, Account& a) {
    f(a.owner_, a.history_, a.limits_);
  }

 private:
  std::string owner_;
  std::vector<std::int64_t> history_;
  std::optional<std::tuple<std::uint32_t, float>> limits_;
};
}  // namespace fuzz
CSP_MESSAGE_TYPE(fuzz::Account);

namespace {

/// Decodes `in` as T; a value must re-encode to `in` (or, with maps, to its own re-encoding).
template <class T>
void round_trip(std::span<const std::byte> in, bool canonical) {
  T v;
  try {
    v = csp::detail::decode<T>(in);
  } catch (const csp::Error&) {
    return;  // malformed input is expected to end here, and only here
  }
  std::vector<std::byte> again;
  csp::detail::encode(v, again);
  if (canonical) {
    if (again.size() != in.size() || !std::equal(again.begin(), again.end(), in.begin()))
      std::abort();
    return;
  }
  std::vector<std::byte> third;
  csp::detail::encode(csp::detail::decode<T>(again), third);
  if (third != again) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data) + 1, size - 1);
  switch (data[0] % 8) {
    case 0: round_trip<std::int32_t>(in, true); break;
    case 1: round_trip<std::string>(in, true); break;
    case 2: round_trip<std::vector<std::string>>(in, true); break;
    case 3: round_trip<std::map<std::int16_t, std::string>>(in, false); break;
    case 4: round_trip<std::optional<std::vector<std::uint64_t>>>(in, true); break;
    case 5: round_trip<std::tuple<bool, double, std::pair<char, std::string>>>(in, true); break;
    case 6: round_trip<fuzz::Shape>(in, true); break;
    default: round_trip<std::map<std::string, fuzz::Account>>(in, false); break;
  }
  return 0;
}
