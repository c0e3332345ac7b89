// Stacks come 64 to a mapping. While the kernel's map-count budget allows, each gets a guard
// page below it (a guard splits the mapping, costing two map entries per stack); past that
// budget (tens of thousands of processes) stacks are unguarded rather than failing.

#include "stack_pool.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <fstream>
#include <new>

namespace csp::detail {

namespace {

constexpr std::size_t stacks_per_slab = 64;
constexpr std::size_t keep_warm = 4096;  // free stacks that keep their pages

std::size_t page_size() { return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }

std::size_t max_map_count() {
  std::ifstream in("/proc/sys/vm/max_map_count");
  std::size_t n = 65530;
  in >> n;
  return n;
}

}  // namespace

StackPool::StackPool(std::size_t stack_size) {
  std::size_t page = page_size();
  size_ = (stack_size + page - 1) / page * page;
  stride_ = size_ + page;
  // Spend at most a quarter of the map entries on guarded slabs (2 entries per stack).
  guard_budget_ = max_map_count() / 4 / (2 * stacks_per_slab);
}

StackPool::~StackPool() {
  for (auto& [base, slab] : slabs_) ::munmap(base, slab.bytes);
}

StackPool::Slabs::iterator StackPool::slab_of(void* top) {
  // A stack's top is its slab's end at most, so look just below it.
  return std::prev(slabs_.upper_bound(static_cast<char*>(top) - 1));
}

void StackPool::grow() {
  std::size_t bytes = stride_ * stacks_per_slab;
  void* base = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) throw std::bad_alloc();
  slabs_.emplace(static_cast<char*>(base), Slab{bytes, 0});
  bool guard = guard_budget_ > 0;
  if (guard) --guard_budget_;
  auto* p = static_cast<char*>(base);
  for (std::size_t i = 0; i < stacks_per_slab; ++i) {
    char* low = p + i * stride_;
    if (guard) ::mprotect(low, page_size(), PROT_NONE);
    free_.push_back(low + stride_);
  }
}

boost::context::stack_context StackPool::allocate() {
  std::lock_guard lock(mutex_);
  if (free_.empty()) grow();
  boost::context::stack_context sc;
  sc.sp = free_.back();
  sc.size = size_;
  free_.pop_back();
  ++slab_of(sc.sp)->second.in_use;
  return sc;
}

void StackPool::deallocate(boost::context::stack_context& sc) noexcept {
  std::lock_guard lock(mutex_);
  free_.push_back(sc.sp);
  // A slab whose stacks are all free gives its pages back in one call, once enough warm
  // stacks remain for the next network: one madvise per stack costs seconds for a million.
  auto slab = slab_of(sc.sp);
  if (--slab->second.in_use == 0 && free_.size() > keep_warm)
    ::madvise(slab->first, slab->second.bytes, MADV_DONTNEED);
}

}  // namespace csp::detail
