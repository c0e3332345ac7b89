// The typed channel core: rendezvous and buffered transfer, and the offer/accept protocol that
// plain reads and writes and alternation guards all commit through.
#pragma once

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "csp/detail/channel_base.hpp"
#include "csp/detail/observer.hpp"

namespace csp::detail {

/// Fixed-capacity FIFO; allocates only for buffered channels.
template <class T>
class Ring {
 public:
  explicit Ring(std::uint32_t capacity)
      : slots_(capacity ? std::make_unique<std::optional<T>[]>(capacity) : nullptr),
        capacity_(capacity) {}
  bool empty() const noexcept { return count_ == 0; }
  bool full() const noexcept { return count_ == capacity_; }
  std::size_t size() const noexcept { return count_; }
  std::size_t capacity() const noexcept { return capacity_; }
  void push(T&& v) {
    slots_[(head_ + count_) % capacity_].emplace(std::move(v));
    ++count_;
  }
  T pop() {
    std::optional<T>& slot = slots_[head_];
    T v = std::move(*slot);
    slot.reset();
    head_ = (head_ + 1) % capacity_;
    --count_;
    return v;
  }
  void clear() noexcept {
    while (count_ > 0) {
      slots_[head_].reset();
      head_ = (head_ + 1) % capacity_;
      --count_;
    }
  }

 private:
  std::unique_ptr<std::optional<T>[]> slots_;
  std::uint32_t capacity_;
  std::uint32_t head_ = 0;
  std::uint32_t count_ = 0;
};

/// Result of offering a request to a channel.
enum class Offer : std::uint8_t {
  completed,  // matched now; the request's waiter is claimed
  queued,     // nobody to match; the request waits in the channel's queue
  lost,       // the request's alternation was claimed elsewhere meanwhile
};

template <class T>
class ChannelCore : public ChannelBase {
 public:
  ChannelCore(std::string name, std::size_t capacity)
      : ChannelBase(std::move(name)), buffer_(checked_capacity(capacity)) {}

  std::size_t capacity() const noexcept override { return buffer_.capacity(); }

  /// Blocks until `v` is taken or buffered; moves from `v`.
  void write(T& v) {
    Context& ctx = current_context();
    Waiter w(ctx, &describe_write, this);
    Request r{&w, &v};
    std::unique_lock lock(mutex_);
    if (Outcome o = write_blocked(); o != Outcome::done) {
      lock.unlock();
      raise(o, name());
    }
    if (Context* partner = try_write(r)) {
      lock.unlock();
      partner->unpark();
      observe(ChannelEvent::write, *this);
      return;
    }
    if (!buffer_.full()) {
      buffer_.push(std::move(v));
      observe(ChannelEvent::write, *this);
      return;
    }
    writers_.push_back(r);
    remote_event(Event::queued, Side::writer, &r);
    lock.unlock();
    wait(ctx, r);
    observe(ChannelEvent::write, *this);
  }

  /// Blocks until a message arrives.
  T read() {
    Context& ctx = current_context();
    Waiter w(ctx, &describe_read, this);
    std::optional<T> slot;
    Request r{&w, &slot};
    std::unique_lock lock(mutex_);
    Context* partner = nullptr;
    if (Outcome o = read_blocked(buffer_.empty()); o != Outcome::done) {
      lock.unlock();
      raise(o, name());
    }
    if (!buffer_.empty()) {
      slot.emplace(buffer_.pop());
      partner = refill();
    } else if (!(partner = try_read(r))) {
      readers_.push_back(r);
      remote_event(Event::queued, Side::reader, &r);
      lock.unlock();
      wait(ctx, r);
      observe(ChannelEvent::read, *this);
      return std::move(*slot);
    }
    lock.unlock();
    if (partner) partner->unpark();
    observe(ChannelEvent::read, *this);
    return std::move(*slot);
  }

  /// Alternation: offers to write *r.slot; claims r.waiter only if the offer completes now.
  Offer offer_write(Request& r) {
    std::unique_lock lock(mutex_);
    if (Outcome o = write_blocked(); o != Outcome::done) return fail_own(r, o);
    if (Context* partner = try_write(r)) {
      lock.unlock();
      partner->unpark();
      return Offer::completed;
    }
    if (r.waiter->claimed()) return Offer::lost;
    if (!buffer_.full()) {
      if (!r.waiter->claim(r.index, Outcome::done)) return Offer::lost;
      buffer_.push(std::move(*static_cast<T*>(r.slot)));
      return Offer::completed;
    }
    writers_.push_back(r);
    remote_event(Event::queued, Side::writer, &r);
    return Offer::queued;
  }

  /// Alternation: offers to read into *r.slot (a std::optional<T>).
  Offer offer_read(Request& r) {
    std::unique_lock lock(mutex_);
    if (Outcome o = read_blocked(buffer_.empty()); o != Outcome::done) return fail_own(r, o);
    if (!buffer_.empty()) {
      if (!r.waiter->claim(r.index, Outcome::done)) return Offer::lost;
      static_cast<std::optional<T>*>(r.slot)->emplace(buffer_.pop());
      Context* partner = refill();
      lock.unlock();
      if (partner) partner->unpark();
      return Offer::completed;
    }
    if (Context* partner = try_read(r)) {
      lock.unlock();
      partner->unpark();
      return Offer::completed;
    }
    if (r.waiter->claimed()) return Offer::lost;
    readers_.push_back(r);
    remote_event(Event::queued, Side::reader, &r);
    return Offer::queued;
  }

 private:
  std::size_t buffered() const noexcept override { return buffer_.size(); }
  void clear_buffer() noexcept override { buffer_.clear(); }

  // Claims `theirs` (and `mine` too when it belongs to an alternation).
  static bool claim(Request& mine, Request& theirs) noexcept {
    if (mine.alt) return Waiter::claim_pair(*mine.waiter, mine.index, *theirs.waiter, theirs.index);
    return theirs.waiter->claim(theirs.index, Outcome::done);
  }

  // Walks `q` for a partner of `mine`, dropping stale offers. Returns the claimed partner.
  Request* match(RequestQueue& q, Request& mine) noexcept {
    Request* r = q.front();
    while (r) {
      Request* next = r->next;
      if (r->waiter != mine.waiter) {
        if (claim(mine, *r)) {
          q.unlink(*r);
          return r;
        }
        if (mine.waiter->claimed()) return nullptr;
        q.unlink(*r);
      }
      r = next;
    }
    return nullptr;
  }

  // A writer meets a waiting reader: hand the message over. Returns the reader to wake.
  Context* try_write(Request& mine) {
    Request* reader = match(readers_, mine);
    if (!reader) return nullptr;
    static_cast<std::optional<T>*>(reader->slot)->emplace(std::move(*static_cast<T*>(mine.slot)));
    return &reader->waiter->context();
  }

  // A reader meets a waiting writer: take its message. Returns the writer to wake.
  Context* try_read(Request& mine) {
    Request* writer = match(writers_, mine);
    if (!writer) return nullptr;
    static_cast<std::optional<T>*>(mine.slot)->emplace(std::move(*static_cast<T*>(writer->slot)));
    return &writer->waiter->context();
  }

  // After a read made room in the buffer: move one waiting writer's message in.
  Context* refill() {
    for (Request* w = writers_.front(); w; w = writers_.front()) {
      writers_.unlink(*w);
      if (w->waiter->claim(w->index, Outcome::done)) {
        buffer_.push(std::move(*static_cast<T*>(w->slot)));
        return &w->waiter->context();
      }
    }
    return nullptr;
  }

  Offer fail_own(Request& r, Outcome o) noexcept {
    return r.waiter->claim(r.index, o) ? Offer::completed : Offer::lost;
  }

  // Parks a plain operation. A claimant that is not a channel partner (a cancel) leaves the
  // request queued, and so does unwinding a destroyed process's stack.
  void wait(Context& ctx, Request& r) {
    try {
      ctx.park(*r.waiter);
    } catch (...) {
      withdraw(r);
      throw;
    }
    Outcome o = r.waiter->outcome();
    if (o == Outcome::done) return;
    withdraw(r);
    raise(o, name());
  }

  Ring<T> buffer_;
};

}  // namespace csp::detail
