// Exceptions raised by channel operations and by misuse of the library.
// ChannelPoisonException and ChannelRetireException mirror PyCSP's; Error is for misuse.
#pragma once

#include <stdexcept>
#include <string>

namespace csp {

/// Misuse of the library: duplicate channel names, moved-from ends and the like.
class Error : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// Base of the two ways a channel ends for its users.
class ChannelException : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The channel was poisoned; every current and future operation fails.
class ChannelPoisonException : public ChannelException {
 public:
  using ChannelException::ChannelException;
};

/// Every reader (or every writer) of the channel has retired.
class ChannelRetireException : public ChannelException {
 public:
  using ChannelException::ChannelException;
};

/// Every process is blocked and nothing can wake any of them; the message names them and what
/// each waits on.
class Deadlock : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace csp
