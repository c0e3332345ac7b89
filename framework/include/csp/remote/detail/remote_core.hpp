// The local stand-in for a channel served by another process. Local ends use it like any channel
// core, but it never matches them with each other: every read and write it queues goes to the
// serving runtime, and completes when that runtime reports the partner it met there. A write to
// a buffered channel completes once sent, while fewer writes than the buffer holds are in flight.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "csp/detail/channel_core.hpp"
#include "csp/detail/serialize.hpp"
#include "csp/errors.hpp"
#include "csp/remote/detail/link.hpp"

namespace csp::detail {

/// Set while a connection applies what its peer reported, so it is not sent back.
inline thread_local bool applying_peer_event = false;

template <class T>
class RemoteCore final : public ChannelCore<T>, public RemoteProxy {
 public:
  /// Stands for channel `name` there; error messages name it `label`, or "name@peer".
  RemoteCore(std::shared_ptr<Link> link, std::string name, std::string label = {})
      : ChannelCore<T>(std::string{}, 0), link_(std::move(link)), remote_name_(std::move(name)) {
    if (label.empty()) {
      label = remote_name_;
      label += '@';
      label += link_->peer();
    }
    this->label(std::move(label));
    // Held for good: this stand-in's own join counts never retire it; the serving runtime,
    // which counts every node's ends, reports retirement instead.
    this->join(Side::reader);
    this->join(Side::writer);
  }
  ~RemoteCore() override {
    if (opened_) link_->close(id_);
  }

  /// Joins the served channel (csp::Error if it carries another type or does not exist).
  void open(const std::shared_ptr<RemoteCore>& self) {
    Opened o = link_->open(remote_name_, message_name<T>(), self);
    id_ = o.id;
    credits_ = o.capacity;
    opened_ = true;
  }

  void received(std::uint64_t seq, std::span<const std::byte> message) override {
    T v = decode<T>(message);  // csp::Error: the connection drops, and lost() fails everyone
    Context* wake = nullptr;
    {
      std::lock_guard lock(this->mutex_);
      if (sent_as(seq) == Side::writer) throw Error("a peer answered a write with a message");
      std::optional<Pending> p = take(seq);
      if (p && p->request->waiter->claim(p->request->index, Outcome::done)) {
        static_cast<std::optional<T>*>(p->request->slot)->emplace(std::move(v));
        wake = &p->request->waiter->context();
      } else {
        wake = hand_over(std::move(v));
      }
    }
    if (wake) wake->unpark();
  }

  void ended(std::uint64_t seq, Outcome outcome) override {
    Context* wake = nullptr;
    Side side;
    {
      std::lock_guard lock(this->mutex_);
      std::optional<Pending> p = take(seq);
      // An operation withdrawn meanwhile (or failed here already): only a failure still counts.
      if (!p && outcome == Outcome::done) return;
      side = p ? p->side : Side::reader;
      if (outcome == Outcome::done && side == Side::reader) outcome = Outcome::poisoned;  // no message
      if (p && p->request && p->request->waiter->claim(p->request->index, outcome))
        wake = &p->request->waiter->context();
    }
    if (wake) wake->unpark();
    if (outcome == Outcome::poisoned) {
      from_peer([&] { this->poison(side); });
    } else if (outcome == Outcome::retired) {
      // The other side has retired everywhere: drop the join held for it, so later
      // operations fail here without asking.
      Side other = side == Side::reader ? Side::writer : Side::reader;
      bool& dropped = other_retired_[static_cast<int>(side)];
      if (!std::exchange(dropped, true)) from_peer([&] { this->leave(other); });
    }
  }

  void lost() override {
    from_peer([&] { this->poison(Side::reader); });
  }

 private:
  struct Pending {
    std::uint64_t seq;
    Request* request;  // nullptr: a write that completed when sent, on credit
    Side side;
  };

  template <class F>
  static void from_peer(F&& f) {
    applying_peer_event = true;
    try {
      f();
    } catch (...) {
      applying_peer_event = false;
      throw;
    }
    applying_peer_event = false;
  }

  void remote_event(ChannelBase::Event e, Side side, Request* r) override {
    if (!opened_) return;  // the joins held for good
    switch (e) {
      case ChannelBase::Event::queued:
        return forward(side, *r);
      case ChannelBase::Event::withdrawn:
        return forget(*r);
      case ChannelBase::Event::joined:
        if (!applying_peer_event) link_->join(id_, side);
        return;
      case ChannelBase::Event::left:
        if (!applying_peer_event) link_->leave(id_, side);
        return;
      case ChannelBase::Event::poisoned:
        if (!applying_peer_event) link_->poison(id_, side);
        return fail_pending(Outcome::poisoned);
      case ChannelBase::Event::destroyed:
        return fail_pending(Outcome::destroyed);
    }
  }

  // A request was queued here (lock held): take it out of the local queues, where no local
  // partner may meet it, and ask the serving runtime.
  void forward(Side side, Request& r) {
    (side == Side::reader ? this->readers_ : this->writers_).unlink(r);
    if (side == Side::reader && !spare_.empty()) {
      if (r.waiter->claim(r.index, Outcome::done)) {
        static_cast<std::optional<T>*>(r.slot)->emplace(std::move(spare_.front()));
        spare_.pop_front();
        r.waiter->context().unpark();
      }
      return;
    }
    // A buffered channel: a write sent while fewer than its capacity are in flight counts as
    // buffered, as a local one does once in the buffer. Its answer only returns the credit, or
    // fails the next operation (poison, retire) as a failed buffered write would.
    bool on_credit = side == Side::writer && in_flight_ < credits_;
    if (on_credit && !r.waiter->claim(r.index, Outcome::done)) return;  // its alternation chose another
    std::uint64_t seq = ++seq_;
    if (side == Side::reader) {
      link_->read(id_, seq);
    } else {
      bytes_.clear();
      encode(*static_cast<T*>(r.slot), bytes_);
      link_->write(id_, seq, bytes_, on_credit);
    }
    if (on_credit) {
      ++in_flight_;
      pending_.push_back({seq, nullptr, side});
      r.waiter->context().unpark();
      return;
    }
    waiting_.push_back(r);
    pending_.push_back({seq, &r, side});
  }

  // A queued request was withdrawn (lock held): the serving runtime withdraws its offer too.
  void forget(Request& r) {
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      if (it->request == &r) {
        link_->cancel(id_, it->seq);
        pending_.erase(it);
        return;
      }
    }
  }

  std::optional<Side> sent_as(std::uint64_t seq) const {
    for (const Pending& p : pending_)
      if (p.seq == seq) return p.side;
    return std::nullopt;
  }

  std::optional<Pending> take(std::uint64_t seq) {
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      if (it->seq == seq) {
        Pending p = *it;
        pending_.erase(it);
        if (!p.request) --in_flight_;
        else if (p.request->queue) p.request->queue->unlink(*p.request);
        return p;
      }
    }
    return std::nullopt;
  }

  // A message arrived for a read that was withdrawn meanwhile: the serving runtime counted it
  // as taken here, so another local reader gets it (its own request is cancelled), or the next.
  Context* hand_over(T&& v) {
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      if (it->side != Side::reader) continue;
      Request& r = *it->request;
      if (r.waiter->claim(r.index, Outcome::done)) {
        link_->cancel(id_, it->seq);
        if (r.queue) r.queue->unlink(r);
        pending_.erase(it);
        static_cast<std::optional<T>*>(r.slot)->emplace(std::move(v));
        return &r.waiter->context();
      }
    }
    spare_.push_back(std::move(v));
    return nullptr;
  }

  void fail_pending(Outcome outcome) {
    std::vector<Context*> wake;
    {
      std::lock_guard lock(this->mutex_);
      for (Pending& p : pending_) {
        if (!p.request) continue;
        if (p.request->queue) p.request->queue->unlink(*p.request);
        if (p.request->waiter->claim(p.request->index, outcome)) wake.push_back(&p.request->waiter->context());
      }
      pending_.clear();
      in_flight_ = 0;
      spare_.clear();
    }
    for (Context* c : wake) c->unpark();
  }

  std::shared_ptr<Link> link_;
  std::string remote_name_;
  std::uint32_t id_ = 0;
  bool opened_ = false;
  bool other_retired_[2] = {false, false};
  std::size_t credits_ = 0;    // writes that may be in flight unanswered: the buffer's capacity
  std::size_t in_flight_ = 0;  // the writes sent on credit, not yet answered
  std::uint64_t seq_ = 0;
  RequestQueue waiting_;          // requests sent to the serving runtime
  std::vector<Pending> pending_;  // the same, with their sequence numbers
  std::deque<T> spare_;           // messages taken for readers that had gone
  std::vector<std::byte> bytes_;
};

}  // namespace csp::detail
