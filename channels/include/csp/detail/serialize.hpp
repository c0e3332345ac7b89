// Message types to and from bytes, for channels that cross a process boundary: a compact
// little-endian encoding, a stable name per type, and a decoder that bounds-checks every read.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/pfr/core.hpp>

#include "csp/message_type.hpp"

namespace csp::detail {

static_assert(std::endian::native == std::endian::little, "the wire format is little-endian");

/// Throws csp::Error: "message of type 'type': what".
[[noreturn]] void throw_bad_message(std::string_view type, std::string_view what);

/// T's fully qualified name as the compiler spells it (same program, same compiler: same name).
template <class T>
constexpr std::string_view qualified_name() noexcept {
  std::string_view p = __PRETTY_FUNCTION__;
  std::size_t from = p.find("T = ") + 4;
  std::size_t to = p.find_first_of(";]", from);
  return p.substr(from, to - from);
}

template <class T>
struct NameOf;

/// The name both ends of a connection compare: "i32", "vector<string>", "geo::Point", ...
template <message T>
const std::string& message_name() {
  static const std::string name = NameOf<T>::get();
  return name;
}

// Names are built by appending: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string.
inline std::string compose(std::string_view head, std::initializer_list<std::string_view> parts) {
  std::string name(head);
  name += '<';
  for (std::string_view p : parts) {
    if (name.back() != '<') name += ',';
    name += p;
  }
  name += '>';
  return name;
}

template <class T>
struct NameOf {
  static std::string get() {
    if constexpr (std::is_same_v<T, bool>) return "bool";
    else if constexpr (std::is_same_v<T, char>) return "char";
    else if constexpr (std::is_arithmetic_v<T>) {
      std::string name(1, std::is_floating_point_v<T> ? 'f' : std::is_signed_v<T> ? 'i' : 'u');
      name += std::to_string(8 * sizeof(T));
      return name;
    } else if constexpr (std::is_same_v<T, std::string>) return "string";
    else return std::string(qualified_name<T>());
  }
};
template <class T>
struct NameOf<std::vector<T>> {
  static std::string get() { return compose("vector", {message_name<T>()}); }
};
template <class T>
struct NameOf<std::optional<T>> {
  static std::string get() { return compose("optional", {message_name<T>()}); }
};
template <class K, class V>
struct NameOf<std::map<K, V>> {
  static std::string get() { return compose("map", {message_name<K>(), message_name<V>()}); }
};
template <class A, class B>
struct NameOf<std::pair<A, B>> {
  static std::string get() { return compose("pair", {message_name<A>(), message_name<B>()}); }
};
template <class... Ts>
struct NameOf<std::tuple<Ts...>> {
  static std::string get() { return compose("tuple", {message_name<Ts>()...}); }
};

template <class T, template <class...> class Template>
struct is_instance : std::false_type {};
template <class... Args, template <class...> class Template>
struct is_instance<Template<Args...>, Template> : std::true_type {};
template <class T>
inline constexpr bool is_sequence = is_instance<T, std::vector>::value;
template <class T>
inline constexpr bool is_map = is_instance<T, std::map>::value;
template <class T>
inline constexpr bool is_optional = is_instance<T, std::optional>::value;
template <class T>
inline constexpr bool is_tuple_like = is_instance<T, std::pair>::value || is_instance<T, std::tuple>::value;

/// Fewest bytes any value of T encodes to; bounds a claimed element count before allocating.
template <class T>
constexpr std::size_t min_encoded_size() {
  if constexpr (arithmetic_or_enum<T>) return sizeof(T);
  else if constexpr (std::is_same_v<T, std::string> || is_builtin_container<T>::value) {
    if constexpr (is_tuple_like<T>) {
      return []<std::size_t... I>(std::index_sequence<I...>) {
        return (std::size_t{0} + ... + min_encoded_size<std::tuple_element_t<I, T>>());
      }(std::make_index_sequence<std::tuple_size_v<T>>{});
    } else {
      return 1;  // a count or a flag
    }
  } else {
    return 0;  // user types: no bound assumed
  }
}

class Encoder {
 public:
  Encoder(std::vector<std::byte>& out, std::string_view type) noexcept : out_(out), type_(type) {}

  template <class... Fields>
  void operator()(const Fields&... fields) {
    (put(fields), ...);
  }

  template <class T>
  void put(const T& v) {
    if constexpr (arithmetic_or_enum<T>) {
      bytes(&v, sizeof v);
    } else if constexpr (std::is_same_v<T, std::string>) {
      count(v.size());
      bytes(v.data(), v.size());
    } else if constexpr (is_sequence<T> || is_map<T>) {
      count(v.size());
      for (const auto& e : v) put(static_cast<const typename T::value_type&>(e));
    } else if constexpr (is_optional<T>) {
      put(static_cast<std::uint8_t>(v.has_value()));
      if (v) put(*v);
    } else if constexpr (is_tuple_like<T>) {
      std::apply([this](const auto&... e) { (this->put(e), ...); }, v);
    } else if constexpr (inspectable<T>) {
      inspect(*this, const_cast<T&>(v));  // inspect() takes T&; encoding only reads
    } else {
      boost::pfr::for_each_field(v, [this](const auto& f) { this->put(f); });
    }
  }

 private:
  void count(std::size_t n) {
    if (n > UINT32_MAX) throw_bad_message(type_, "a container of more than 2^32-1 elements");
    put(static_cast<std::uint32_t>(n));
  }
  void bytes(const void* p, std::size_t n) {
    auto* b = static_cast<const std::byte*>(p);
    out_.insert(out_.end(), b, b + n);
  }
  std::vector<std::byte>& out_;
  std::string_view type_;
};

class Decoder {
 public:
  Decoder(std::span<const std::byte> in, std::string_view type) noexcept
      : at_(in.data()), end_(in.data() + in.size()), type_(type) {}

  template <class... Fields>
  void operator()(Fields&... fields) {
    (get(fields), ...);
  }

  template <class T>
  void get(T& v) {
    if constexpr (std::is_same_v<T, bool>) {
      std::uint8_t b;
      get(b);
      if (b > 1) fail("a bool that is neither 0 nor 1");
      v = b;
    } else if constexpr (arithmetic_or_enum<T>) {
      bytes(&v, sizeof v);
    } else if constexpr (std::is_same_v<T, std::string>) {
      std::size_t n = count(1);
      v.assign(reinterpret_cast<const char*>(at_), n);
      at_ += n;
    } else if constexpr (is_map<T>) {
      std::size_t n = count(min_encoded_size<typename T::key_type>() +
                            min_encoded_size<typename T::mapped_type>());
      v.clear();
      for (std::size_t i = 0; i < n; ++i) {
        std::pair<typename T::key_type, typename T::mapped_type> e;
        get(e);
        if (!v.emplace(std::move(e)).second) fail("a map with a repeated key");
      }
    } else if constexpr (is_sequence<T>) {
      std::size_t n = count(min_encoded_size<typename T::value_type>());
      v.clear();
      v.reserve(std::min<std::size_t>(n, static_cast<std::size_t>(end_ - at_) + 1));
      for (std::size_t i = 0; i < n; ++i) {
        typename T::value_type e{};
        get(e);
        v.push_back(std::move(e));
      }
    } else if constexpr (is_optional<T>) {
      bool present;
      get(present);
      if (present) get(v.emplace());
      else v.reset();
    } else if constexpr (is_tuple_like<T>) {
      std::apply([this](auto&... e) { (this->get(e), ...); }, v);
    } else if constexpr (inspectable<T>) {
      inspect(*this, v);
    } else {
      boost::pfr::for_each_field(v, [this](auto& f) { this->get(f); });
    }
  }

  bool done() const noexcept { return at_ == end_; }
  [[noreturn]] void fail(std::string_view what) const { throw_bad_message(type_, what); }

 private:
  // A claimed element count, checked against the bytes left before anything is allocated.
  std::size_t count(std::size_t min_element_size) {
    std::uint32_t n;
    get(n);
    if (n > static_cast<std::size_t>(end_ - at_) / std::max<std::size_t>(min_element_size, 1))
      fail("a length larger than the bytes that follow");
    return n;
  }
  void bytes(void* p, std::size_t n) {
    if (static_cast<std::size_t>(end_ - at_) < n) fail("truncated");
    std::memcpy(p, at_, n);
    at_ += n;
  }

  const std::byte* at_;
  const std::byte* end_;
  std::string_view type_;
};

/// Appends the encoding of `v` to `out`.
template <message T>
void encode(const T& v, std::vector<std::byte>& out) {
  Encoder(out, message_name<T>()).put(v);
}

/// Decodes a T that must fill `in` exactly; csp::Error naming the type on any malformed input.
template <message T>
  requires std::default_initializable<T>
T decode(std::span<const std::byte> in) {
  Decoder d(in, message_name<T>());
  T v{};
  d.get(v);
  if (!d.done()) d.fail("bytes left over after the message");
  return v;
}

}  // namespace csp::detail
