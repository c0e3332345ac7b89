// A client's connection to one served runtime, shared by every remote channel joined there:
// the requests a remote channel sends, and the replies the connection hands back to it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "csp/detail/channel_base.hpp"
#include "csp/shared/detail/remote_object.hpp"

namespace csp::detail {

/// What a remote channel hears from its connection (on the connection's thread).
class RemoteProxy {
 public:
  virtual ~RemoteProxy() = default;
  /// A read `seq` received `message`.
  virtual void received(std::uint64_t seq, std::span<const std::byte> message) = 0;
  /// Operation `seq` ended with `outcome` (Outcome::done: a write was taken).
  virtual void ended(std::uint64_t seq, Outcome outcome) = 0;
  /// The connection is gone: the channel counts as poisoned.
  virtual void lost() = 0;
};

/// A served channel joined on a link.
struct Opened {
  std::uint32_t id;       // on this link
  std::size_t capacity;   // of its buffer (0: rendezvous)
};

/// A served shared object attached on a link.
struct Attached {
  std::uint32_t id;  // on this link
  std::string name;  // the object's own, where it is served ("Lock-7")
  std::vector<std::byte> local_part;  // see ServedObject::local_part
};

class Link {
 public:
  virtual ~Link() = default;
  const std::string& peer() const noexcept { return peer_; }

  /// Joins the served channel `name` carrying `type`; csp::Error naming both types if the
  /// served one carries another, or if there is no such channel.
  virtual Opened open(const std::string& name, const std::string& type, std::weak_ptr<RemoteProxy> proxy) = 0;
  virtual void join(std::uint32_t id, Side side) = 0;
  virtual void leave(std::uint32_t id, Side side) = 0;
  virtual void poison(std::uint32_t id, Side side) = 0;
  virtual void read(std::uint32_t id, std::uint64_t seq) = 0;
  /// `batched`: the writer does not wait for the answer, so the frame may wait a moment to
  /// leave with others.
  virtual void write(std::uint32_t id, std::uint64_t seq, std::span<const std::byte> message, bool batched) = 0;
  virtual void cancel(std::uint32_t id, std::uint64_t seq) = 0;
  /// Uses the shared object `object` of the served manager `manager` (or the object lent under
  /// token `object` if `manager` is empty), which must be a `type`. csp::Error if there is no
  /// such object or it is of another type.
  virtual Attached attach(const std::string& manager, const std::string& object, const std::string& type) = 0;
  /// Uses the shared object the serving side lent on this link as part `number` of an attached
  /// object's local part, which must be a `type`.
  virtual Attached attach_part(std::uint64_t number, const std::string& type) = 0;
  /// Sends one encoded request to object `id`, whose answer is awaited with the call returned
  /// (see RemoteCall); csp::Error if the connection is gone.
  virtual std::unique_ptr<RemoteCall> start(std::uint32_t id, std::vector<std::byte> request) = 0;
  /// Sends one encoded request to object `id` without waiting: its answer, which nobody uses,
  /// is given back.
  virtual void post(std::uint32_t id, std::span<const std::byte> request) = 0;
  /// The channel's (or shared object's) last local handle is gone.
  virtual void close(std::uint32_t id) noexcept = 0;

 protected:
  explicit Link(std::string peer) : peer_(std::move(peer)) {}

 private:
  std::string peer_;
};

}  // namespace csp::detail
