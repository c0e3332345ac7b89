// The channel core's one hook for tracing: what happened to a channel, told to an observer the
// framework installs. Null when nobody records, so an untraced operation pays one branch.
#pragma once

#include <atomic>
#include <cstdint>

namespace csp::detail {

class ChannelBase;

enum class ChannelEvent : std::uint8_t {
  join_reader,
  join_writer,
  retire_reader,
  retire_writer,
  poison,
  read,   // a plain read completed (alternation guards are reported by the alternation)
  write,  // a plain write completed: taken by a reader or buffered
  destroy,
};

/// Called on the context that did the operation, after the channel's lock is released.
using ChannelObserver = void (*)(ChannelEvent, const ChannelBase&) noexcept;

inline std::atomic<ChannelObserver> channel_observer{nullptr};

inline void observe(ChannelEvent event, const ChannelBase& channel) noexcept {
  if (ChannelObserver f = channel_observer.load(std::memory_order_relaxed)) [[unlikely]]
    f(event, channel);
}

}  // namespace csp::detail
