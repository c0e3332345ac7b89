// Process stacks for Boost.Context, carved from large mappings and reused, so that a million
// processes neither exhaust the kernel's mapping limit nor pay for system calls each.
#pragma once

#include <boost/context/stack_context.hpp>
#include <cstddef>
#include <map>
#include <mutex>
#include <vector>

namespace csp::detail {

class StackPool {
 public:
  explicit StackPool(std::size_t stack_size);
  ~StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  boost::context::stack_context allocate();
  void deallocate(boost::context::stack_context& sc) noexcept;

 private:
  struct Slab {
    std::size_t bytes;
    std::size_t in_use;
  };
  using Slabs = std::map<char*, Slab>;  // by base address

  void grow();
  Slabs::iterator slab_of(void* top);

  std::size_t size_;        // usable bytes per stack
  std::size_t stride_;      // bytes per stack including its guard page
  std::size_t guard_budget_;  // how many more slabs may get guard pages
  std::mutex mutex_;
  std::vector<void*> free_;  // stack tops
  Slabs slabs_;
};

/// Adapter giving Boost.Context a StackPool as its StackAllocator.
class PooledStack {
 public:
  explicit PooledStack(StackPool& pool) noexcept : pool_(&pool) {}
  boost::context::stack_context allocate() { return pool_->allocate(); }
  void deallocate(boost::context::stack_context& sc) noexcept { pool_->deallocate(sc); }

 private:
  StackPool* pool_;
};

}  // namespace csp::detail
