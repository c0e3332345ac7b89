// A name that costs one pointer until someone asks for it: channels and processes come by the
// million, and most are never named in any message.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace csp::detail {

class LazyName {
 public:
  LazyName() noexcept = default;
  /// A given name; empty means "make one up when asked".
  explicit LazyName(std::string name);
  LazyName(const LazyName&) = delete;
  LazyName& operator=(const LazyName&) = delete;
  ~LazyName();

  /// The name; the first call on an unnamed object makes up `prefix` and a fresh number from
  /// `counter`. Safe to call from several threads at once.
  const std::string& get(std::string_view prefix, std::atomic<std::uint64_t>& counter) const;
  /// Renames; must not race with get().
  void set(std::string name);

 private:
  mutable std::atomic<const std::string*> text_{nullptr};
};

}  // namespace csp::detail
