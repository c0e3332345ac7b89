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
/// Under ThreadSanitizer the switch out of an ended fiber is made by the executor, once the
/// fiber's last frames (Boost's among them) have returned: their exits then pop the fiber's
/// shadow stack, not the executor's. The methods are always inlined so that none of their own
/// frames straddles a switch (which unbalances the shadow stacks in unoptimized builds).
class FiberSwitch {
 public:
  struct Entry {
    void* fake = nullptr;      // the executor's ASan fake stack
    void* fiber = nullptr;     // the fiber's TSan state, to destroy once it has ended
    void* executor = nullptr;  // the executor's TSan state, to go back to then
  };

  FiberSwitch(const void* stack_bottom, std::size_t stack_size) noexcept
      : bottom_(stack_bottom), size_(stack_size) {
#if defined(__SANITIZE_THREAD__)
    fiber_ = __tsan_create_fiber(0);
#endif
  }

  /// Runs `construct`, which makes the Boost fiber: Boost's entry function starts on the new
  /// stack there, so under ThreadSanitizer its frame goes on the fiber's shadow stack, where it
  /// ends, and not on the creator's, which would grow by one frame per fiber made.
  template <class Make>
  [[gnu::always_inline]] void make(Make&& construct) {
#if defined(__SANITIZE_THREAD__)
    void* creator = __tsan_get_current_fiber();
    __tsan_switch_to_fiber(fiber_, 0);
    construct();
    __tsan_switch_to_fiber(creator, 0);
#else
    construct();
#endif
  }

  // On the executor: before resuming the fiber, and once back (`ended`: its stack is gone,
  // whether its body returned or was unwound).
  [[gnu::always_inline]] Entry enter() noexcept {
    Entry e;
#if defined(__SANITIZE_ADDRESS__)
    __sanitizer_start_switch_fiber(&e.fake, bottom_, size_);
#endif
#if defined(__SANITIZE_THREAD__)
    e.fiber = fiber_;
    e.executor = executor_ = __tsan_get_current_fiber();
    __tsan_switch_to_fiber(fiber_, 0);
#endif
    return e;
  }
  [[gnu::always_inline]] static void back(Entry& e, bool ended) noexcept {
#if defined(__SANITIZE_ADDRESS__)
    __sanitizer_finish_switch_fiber(e.fake, nullptr, nullptr);
#endif
#if defined(__SANITIZE_THREAD__)
    if (ended) {
      __tsan_switch_to_fiber(e.executor, 0);
      __tsan_destroy_fiber(e.fiber);
    }
#endif
    (void)e;
    (void)ended;
  }

  // On the fiber: after arriving (first entry, resume, or unwinding at shutdown), and before
  // leaving; `last` when the fiber ends, so its fake stack is released.
  [[gnu::always_inline]] void arrived() noexcept {
#if defined(__SANITIZE_ADDRESS__)
    __sanitizer_finish_switch_fiber(fiber_fake_, &back_bottom_, &back_size_);
#endif
  }
  [[gnu::always_inline]] void leave(bool last) noexcept {
#if defined(__SANITIZE_ADDRESS__)
    __sanitizer_start_switch_fiber(last ? nullptr : &fiber_fake_, back_bottom_, back_size_);
#endif
#if defined(__SANITIZE_THREAD__)
    if (!last) __tsan_switch_to_fiber(executor_, 0);
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
  template <class Make>
  void make(Make&& construct) {
    construct();
  }
  Entry enter() noexcept { return {}; }
  static void back(Entry&, bool) noexcept {}
  void arrived() noexcept {}
  void leave(bool) noexcept {}
};

#endif

}  // namespace csp::detail
