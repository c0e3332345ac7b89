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
// Freed stacks kept warm for reuse; beyond that many, a freed stack gives its pages back.
constexpr std::size_t keep_resident = 16384;

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
  for (Slab& s : slabs_) ::munmap(s.base, s.bytes);
}

void StackPool::grow() {
  std::size_t bytes = stride_ * stacks_per_slab;
  void* base = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) throw std::bad_alloc();
  slabs_.push_back({base, bytes});
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
  return sc;
}

void StackPool::deallocate(boost::context::stack_context& sc) noexcept {
  std::lock_guard lock(mutex_);
  if (free_.size() >= keep_resident)
    ::madvise(static_cast<char*>(sc.sp) - size_, size_, MADV_DONTNEED);
  free_.push_back(sc.sp);
}

}  // namespace csp::detail
