// csp::Channel<T>: an any-to-any channel, rendezvous by default or buffered with csp::Buffer.
// The Channel object owns the channel; ends used after it is destroyed throw csp::Error.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "csp/channel_end.hpp"
#include "csp/detail/transfer.hpp"

namespace csp {

/// Capacity of a buffered channel: writers block only when `size` messages are held.
struct Buffer {
  std::size_t size;
};

template <class T>
class Channel {
 public:
  Channel() : Channel(std::string{}, Buffer{0}) {}
  explicit Channel(std::string name) : Channel(std::move(name), Buffer{0}) {}
  explicit Channel(Buffer buffer) : Channel(std::string{}, buffer) {}
  Channel(std::string name, Buffer buffer)
      : core_(std::make_shared<detail::ChannelCore<T>>(name, buffer.size)) {
    if (!name.empty()) detail::publish(name, core_);
  }
  /// Joins channel `name` somewhere else, e.g. `csp::Connect{"127.0.0.1", port}` (include
  /// <csp/csp.hpp>): the place provides `connect_channel<T>(name, where)`.
  template <class Where>
    requires requires(std::string n, const Where& w) {
      { connect_channel<T>(std::move(n), w) } -> std::convertible_to<std::shared_ptr<detail::ChannelCore<T>>>;
    }
  Channel(std::string name, const Where& where) : core_(connect_channel<T>(std::move(name), where)) {}

  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;
  Channel(Channel&&) noexcept = default;
  Channel& operator=(Channel&& other) noexcept {
    if (this != &other) {
      close();
      core_ = std::move(other.core_);
    }
    return *this;
  }
  ~Channel() { close(); }

  /// Joins one more reader.
  ChannelEndRead<T> reader() const { return ChannelEndRead<T>(core()); }
  /// Joins one more writer.
  ChannelEndWrite<T> writer() const { return ChannelEndWrite<T>(core()); }
  ChannelEndRead<T> operator+() const { return reader(); }
  ChannelEndWrite<T> operator-() const { return writer(); }

  /// Poisons the channel for every reader and writer.
  void poison() const { core()->poison(detail::Side::reader); }

  const std::string& name() const { return core()->name(); }

 private:
  const std::shared_ptr<detail::ChannelCore<T>>& core() const {
    if (!core_) throw Error("channel used after it was moved from");
    return core_;
  }
  void close() noexcept {
    if (core_) core_->destroy();
  }

  std::shared_ptr<detail::ChannelCore<T>> core_;
};

}  // namespace csp
