// Tells AddressSanitizer and ThreadSanitizer when execution moves between an executor's stack
// and a fiber's; compiles to nothing in builds without them.
#pragma once

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace csp::detail {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)

/// What the sanitizers need to follow one fiber's switches. It lives in the fiber's stack,
/// so what the executor needs after the fiber has ended travels in an Entry it keeps.
class FiberSwitch {
 public:
  struct Entry {
    void* fake = nullptr;   // the executor's ASan fake stack
    void* fiber = nullptr;  // the fiber's TSan state, to destroy once it has ended
  };

  FiberSwitch(const void* stack_bottom, std::size_t stack_size) noexcept
      : bottom_(stack_bottom), size_(stack_size) {
#if defined(__SANITIZE_THREAD__)
    fiber_ = __tsan_create_fiber(0);
#endif
  }

  // On the executor: before resuming the fiber, and once back (`ended`: its stack is gone).
  Entry enter() noexcept {
    Entry e;
#if defined(__SANITIZE_ADDRESS__)
    __sanitizer_start_switch_fiber(&e.fake, bottom_, size_);
#endif
#if defined(__SANITIZE_THREAD__)
    e.fiber = fiber_;
    executor_ = __tsan_get_current_fiber();
    __tsan_switch_to_fiber(fiber_, 0);
#endif
    return e;
  }
  static void back(Entry& e, bool ended) noexcept {
#if defined(__SANITIZE_ADDRESS__)
    __sanitizer_finish_switch_fiber(e.fake, nullptr, nullptr);
#endif
#if defined(__SANITIZE_THREAD__)
    if (ended) __tsan_destroy_fiber(e.fiber);
#endif
    (void)e;
    (void)ended;
  }

  // On the fiber: after arriving (first entry or resume), and before leaving; `last` when
  // the fiber ends, so its fake stack is released.
  void arrived() noexcept {
#if defined(__SANITIZE_ADDRESS__)
    __sanitizer_finish_switch_fiber(fiber_fake_, &back_bottom_, &back_size_);
#endif
  }
  void leave(bool last) noexcept {
#if defined(__SANITIZE_ADDRESS__)
    __sanitizer_start_switch_fiber(last ? nullptr : &fiber_fake_, back_bottom_, back_size_);
#endif
#if defined(__SANITIZE_THREAD__)
    __tsan_switch_to_fiber(executor_, 0);
#endif
    (void)last;
  }

 private:
  const void* bottom_;
  std::size_t size_;
  void* fiber_fake_ = nullptr;
  const void* back_bottom_ = nullptr;
  std::size_t back_size_ = 0;
  void* fiber_ = nullptr;
  void* executor_ = nullptr;
};

#else

class FiberSwitch {
 public:
  struct Entry {};
  FiberSwitch(const void*, std::size_t) noexcept {}
  Entry enter() noexcept { return {}; }
  static void back(Entry&, bool) noexcept {}
  void arrived() noexcept {}
  void leave(bool) noexcept {}
};

#endif

}  // namespace csp::detail
