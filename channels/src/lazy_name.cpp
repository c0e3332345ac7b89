// LazyName: the name is made on first use and published with one compare-and-swap.

#include "csp/detail/lazy_name.hpp"

#include <fmt/format.h>

#include <memory>
#include <utility>

namespace csp::detail {

LazyName::LazyName(std::string name)
    : text_(name.empty() ? nullptr : new std::string(std::move(name))) {}

LazyName::~LazyName() { delete text_.load(std::memory_order_relaxed); }

const std::string& LazyName::get(std::string_view prefix,
                                 std::atomic<std::uint64_t>& counter) const {
  const std::string* text = text_.load(std::memory_order_acquire);
  if (text) return *text;
  auto made = std::make_unique<const std::string>(
      fmt::format("{}{}", prefix, counter.fetch_add(1, std::memory_order_relaxed) + 1));
  if (text_.compare_exchange_strong(text, made.get(), std::memory_order_acq_rel)) return *made.release();
  return *text;  // another thread named it first
}

void LazyName::set(std::string name) {
  delete text_.exchange(new std::string(std::move(name)), std::memory_order_acq_rel);
}

}  // namespace csp::detail
