// A pending offer to read or write, linked into a channel's queue without allocation.
// Requests live on the stack of the operation that made them and unlink themselves on exit.
#pragma once

#include "csp/detail/waiter.hpp"

namespace csp::detail {

class RequestQueue;

/// One offer on one channel: a plain read or write, or one guard of an alternation.
struct Request {
  Waiter* waiter = nullptr;
  void* slot = nullptr;  // write: T* to move from; read: std::optional<T>* to fill
  int index = 0;         // which guard of the waiter this is
  bool alt = false;      // the waiter has offers on other channels too
  RequestQueue* queue = nullptr;  // where it waits; guarded by the channel's mutex
  Request* prev = nullptr;
  Request* next = nullptr;
};

/// FIFO of requests, intrusive and unsynchronized (the channel's mutex guards it).
class RequestQueue {
 public:
  Request* front() const noexcept { return head_; }
  bool empty() const noexcept { return head_ == nullptr; }

  void push_back(Request& r) noexcept {
    r.prev = tail_;
    r.next = nullptr;
    (tail_ ? tail_->next : head_) = &r;
    tail_ = &r;
    r.queue = this;
  }

  void unlink(Request& r) noexcept {
    (r.prev ? r.prev->next : head_) = r.next;
    (r.next ? r.next->prev : tail_) = r.prev;
    r.prev = r.next = nullptr;
    r.queue = nullptr;
  }

 private:
  Request* head_ = nullptr;
  Request* tail_ = nullptr;
};

}  // namespace csp::detail
