// Message encoding: built-ins, aggregates, inspect() types, stable names, and a decoder that
// rejects truncated, oversized and garbage input with csp::Error instead of misbehaving.

#include <csp/detail/serialize.hpp>
#include <csp/errors.hpp>
#include <gtest/gtest.h>

#include <cstring>
#include <random>

namespace geo {
struct Point {
  double x;
  double y;
  bool operator==(const Point&) const = default;
};
CSP_MESSAGE_TYPE(Point);

enum class Color : std::uint8_t { red, green };

struct Shape {
  std::string name;
  std::vector<Point> points;
  std::optional<Color> color;
  std::map<std::string, int> tags;
  bool operator==(const Shape&) const = default;
};
CSP_MESSAGE_TYPE(Shape);
}  // namespace geo

// Announced at global scope, with fields described by inspect().
namespace bank {
class Account {
 public:
  Account() = default;
  Account(std::string owner, long balance) : owner_(std::move(owner)), balance_(balance) {}
  const std::string& owner() const { return owner_; }
  long balance() const { return balance_; }
  template <class Inspector>
  friend void inspect(Inspector& f, Account& a) {
    f(a.owner_, a.balance_);
  }

 private:
  std::string owner_;
  long balance_ = 0;
};
}  // namespace bank
CSP_MESSAGE_TYPE(bank::Account);

namespace {

using csp::detail::decode;
using csp::detail::encode;
using csp::detail::message_name;

template <class T>
std::vector<std::byte> bytes_of(const T& v) {
  std::vector<std::byte> out;
  encode(v, out);
  return out;
}

template <class T>
T round_trip(const T& v) {
  return decode<T>(bytes_of(v));
}

struct NotAnnounced {
  int a;
};

TEST(Serialize, BuiltinsRoundTrip) {
  EXPECT_EQ(round_trip(42), 42);
  EXPECT_EQ(round_trip(-7LL), -7LL);
  EXPECT_EQ(round_trip(true), true);
  EXPECT_EQ(round_trip(2.5), 2.5);
  EXPECT_EQ(round_trip(std::string("hello")), "hello");
  EXPECT_EQ(round_trip(std::string()), "");
  std::vector<std::string> vs{"a", "", "ccc"};
  EXPECT_EQ(round_trip(vs), vs);
  std::vector<bool> vb{true, false, true};
  EXPECT_EQ(round_trip(vb), vb);
  std::map<int, std::vector<double>> m{{1, {1.5}}, {2, {}}};
  EXPECT_EQ(round_trip(m), m);
  auto t = std::make_tuple(1, std::string("x"), std::optional<int>(), std::make_pair('c', 3u));
  EXPECT_EQ(round_trip(t), t);
  std::optional<std::string> o("yes");
  EXPECT_EQ(round_trip(o), o);
}

TEST(Serialize, AggregateNeedsOnlyTheAnnouncement) {
  geo::Shape s{"tri", {{0, 0}, {1, 0}, {0, 1}}, geo::Color::green, {{"k", 1}}};
  EXPECT_EQ(round_trip(s), s);
  EXPECT_EQ(round_trip(geo::Point{1.25, -3}), (geo::Point{1.25, -3}));
}

TEST(Serialize, InspectDescribesOtherTypes) {
  bank::Account a = round_trip(bank::Account("ann", 120));
  EXPECT_EQ(a.owner(), "ann");
  EXPECT_EQ(a.balance(), 120);
}

TEST(Serialize, OnlyAnnouncedUserTypesAreMessages) {
  static_assert(csp::detail::message<geo::Point>);
  static_assert(csp::detail::message<std::vector<geo::Shape>>);
  static_assert(!csp::detail::message<NotAnnounced>);
  static_assert(!csp::detail::message<std::vector<NotAnnounced>>);
  static_assert(!csp::detail::message<int*>);
  SUCCEED();
}

TEST(Serialize, NamesAreStableAndDistinct) {
  EXPECT_EQ(message_name<int>(), "i32");
  EXPECT_EQ(message_name<unsigned char>(), "u8");
  EXPECT_EQ(message_name<double>(), "f64");
  EXPECT_EQ(message_name<std::string>(), "string");
  EXPECT_EQ((message_name<std::map<std::string, std::vector<int>>>()), "map<string,vector<i32>>");
  EXPECT_EQ(message_name<geo::Point>(), "geo::Point");
  EXPECT_EQ(message_name<bank::Account>(), "bank::Account");
  EXPECT_EQ((message_name<std::tuple<int, geo::Point>>()), "tuple<i32,geo::Point>");
}

template <class T>
std::string decode_error(const std::vector<std::byte>& b) {
  try {
    decode<T>(b);
  } catch (const csp::Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Serialize, TruncatedInputIsAnError) {
  geo::Shape s{"tri", {{0, 0}, {1, 0}}, geo::Color::red, {{"k", 1}}};
  std::vector<std::byte> full = bytes_of(s);
  for (std::size_t n = 0; n < full.size(); ++n) {
    std::vector<std::byte> cut(full.begin(), full.begin() + n);
    EXPECT_NE(decode_error<geo::Shape>(cut).find("geo::Shape"), std::string::npos) << n;
  }
}

TEST(Serialize, LeftoverBytesAreAnError) {
  std::vector<std::byte> b = bytes_of(7);
  b.push_back(std::byte{0});
  EXPECT_NE(decode_error<int>(b).find("left over"), std::string::npos);
}

TEST(Serialize, HugeClaimedLengthsAllocateNothing) {
  std::vector<std::byte> b(4);
  std::uint32_t n = 0xFFFFFFF0u;
  std::memcpy(b.data(), &n, 4);
  EXPECT_NE(decode_error<std::string>(b).find("length"), std::string::npos);
  EXPECT_NE(decode_error<std::vector<std::vector<int>>>(b).find("length"), std::string::npos);
  EXPECT_NE((decode_error<std::map<int, int>>(b).find("length")), std::string::npos);
}

TEST(Serialize, BadBoolAndRepeatedKeyAreErrors) {
  EXPECT_NE(decode_error<bool>({std::byte{2}}).find("bool"), std::string::npos);
  std::vector<std::byte> b = bytes_of(std::vector<std::pair<int, int>>{{1, 2}, {1, 3}});
  EXPECT_NE((decode_error<std::map<int, int>>(b).find("repeated")), std::string::npos);
}

TEST(Serialize, GarbageNeverCrashes) {
  std::mt19937 rng(1234);
  for (int i = 0; i < 20000; ++i) {
    std::vector<std::byte> b(rng() % 64);
    for (auto& x : b) x = static_cast<std::byte>(rng());
    try {
      decode<geo::Shape>(b);
      decode<std::map<std::string, std::vector<std::string>>>(b);
    } catch (const csp::Error&) {
    }
  }
  SUCCEED();
}

}  // namespace
