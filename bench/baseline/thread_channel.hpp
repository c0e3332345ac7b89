// The std::thread baseline: a rendezvous channel built from std::mutex and
// std::condition_variable, with poison and a select over input channels, as one would write it.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <span>
#include <utility>

namespace baseline {

/// Thrown by every operation on a poisoned channel.
struct Poisoned : std::exception {
  const char* what() const noexcept override { return "channel poisoned"; }
};

/// What a select parks on: any channel it watches signals it when a writer arrives.
struct Selector {
  std::mutex mutex;
  std::condition_variable cv;
  bool signaled = false;

  void signal() {
    {
      std::lock_guard lock(mutex);
      signaled = true;
    }
    cv.notify_one();
  }
};

template <class T>
class ThreadChannel;

/// The ends, with csp's names for the operations, so one process body serves both.
template <class T>
struct In {
  ThreadChannel<T>* channel;
  T read() const { return channel->read(); }
  void poison() const { channel->poison(); }
};
template <class T>
struct Out {
  ThreadChannel<T>* channel;
  void write(T v) const { channel->write(std::move(v)); }
  void poison() const { channel->poison(); }
};

/// An unbuffered any-to-any channel: write() returns once a reader has taken the message.
template <class T>
class ThreadChannel {
 public:
  In<T> reader() { return {this}; }
  Out<T> writer() { return {this}; }

  void write(T v) {
    std::unique_lock lock(mutex_);
    can_write_.wait(lock, [&] { return poisoned_ || !slot_; });
    if (poisoned_) throw Poisoned{};
    slot_.emplace(std::move(v));
    const std::uint64_t ticket = ++offered_;
    if (selector_) selector_->signal();
    lock.unlock();  // the reader woken next must not find the mutex still held
    can_read_.notify_one();
    lock.lock();
    taken_.wait(lock, [&] { return poisoned_ || taken_count_ >= ticket; });
    if (taken_count_ < ticket) throw Poisoned{};
  }

  T read() {
    std::unique_lock lock(mutex_);
    can_read_.wait(lock, [&] { return poisoned_ || slot_; });
    return take(lock);
  }

  void poison() {
    {
      std::lock_guard lock(mutex_);
      poisoned_ = true;
      if (selector_) selector_->signal();
    }
    can_read_.notify_all();
    can_write_.notify_all();
    taken_.notify_all();
  }

  /// The message, if a writer is waiting (throws if poisoned); else registers `s` to be
  /// signaled by the next writer.
  std::optional<T> try_read_or_watch(Selector& s) {
    std::unique_lock lock(mutex_);
    if (poisoned_ || slot_) return take(lock);
    selector_ = &s;
    return std::nullopt;
  }

  void unwatch() {
    std::lock_guard lock(mutex_);
    selector_ = nullptr;
  }

 private:
  T take(std::unique_lock<std::mutex>& lock) {
    if (poisoned_) throw Poisoned{};
    T v = std::move(*slot_);
    slot_.reset();
    ++taken_count_;
    lock.unlock();
    taken_.notify_all();  // the writer of this message, among any others parked there
    can_write_.notify_one();
    return v;
  }

  std::mutex mutex_;
  std::condition_variable can_read_, can_write_, taken_;
  std::optional<T> slot_;
  std::uint64_t offered_ = 0, taken_count_ = 0;
  Selector* selector_ = nullptr;  // one selecting reader at a time
  bool poisoned_ = false;
};

/// Waits until one of `channels` has a writer, reads from it; returns its index and message.
template <class T>
std::pair<std::size_t, T> select(std::span<ThreadChannel<T>* const> channels) {
  Selector s;
  for (;;) {
    {
      std::lock_guard lock(s.mutex);
      s.signaled = false;  // before the scan, so a writer arriving during it is not missed
    }
    for (std::size_t i = 0; i < channels.size(); ++i) {
      std::optional<T> v;
      try {
        v = channels[i]->try_read_or_watch(s);
      } catch (...) {  // poisoned: no channel may keep pointing at this selector
        for (std::size_t j = 0; j < i; ++j) channels[j]->unwatch();
        throw;
      }
      if (v) {
        for (std::size_t j = 0; j < i; ++j) channels[j]->unwatch();
        return {i, std::move(*v)};
      }
    }
    {
      std::unique_lock lock(s.mutex);
      s.cv.wait(lock, [&] { return s.signaled; });
    }
    for (ThreadChannel<T>* c : channels) c->unwatch();
  }
}

}  // namespace baseline
