// Channel ends and shared objects a runtime lends to its multiprocess children: the parent
// registers each under a token with an internal loopback server; the child joins the end (or
// uses the object) there.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "csp/channel_end.hpp"
#include "csp/detail/transfer.hpp"
#include "csp/message_type.hpp"
#include "csp/remote/connect.hpp"
#include "csp/shared/detail/served.hpp"

namespace csp::detail {

/// A lent end, as the internal server sees it: the child's joins on it stand for this end's one
/// join, so the child retiring its end retires this one. Copies of one end share that join, as
/// local copies do: once one child (or this runtime) retires it, the others' operations on it
/// fail with ChannelRetireException.
class LentEnd : public std::enable_shared_from_this<LentEnd> {
 public:
  LentEnd(const MessageOps& ops, Side side) noexcept : ops(ops), side(side) {}
  LentEnd(const LentEnd&) = delete;
  LentEnd& operator=(const LentEnd&) = delete;
  /// Tells the Loans waiting for it that the internal server has let go of this end.
  virtual ~LentEnd();

  /// The channel, kept alive by this end.
  virtual std::shared_ptr<ChannelBase> core() = 0;
  /// The child has retired the end it was lent.
  virtual void retire() = 0;
  /// The end's join has retired (by this child, another one, or this runtime).
  virtual bool retired() const noexcept = 0;

  const MessageOps& ops;
  const Side side;
};

template <class End>
class LentEndOf final : public LentEnd {
  using T = typename End::value_type;
  static_assert(message<T>,
                "csp::multiprocess: a channel end passed to a child must carry a message type "
                "(a built-in, or a type announced with CSP_MESSAGE_TYPE)");

 public:
  explicit LentEndOf(End end) : LentEnd(MessageOpsOf<T>::instance, End::side), end_(std::move(end)) {}
  std::shared_ptr<ChannelBase> core() override { return {shared_from_this(), end_.core_ptr()}; }
  void retire() override { end_.retire(); }
  bool retired() const noexcept override { return end_.retired(); }

 private:
  End end_;
};

/// What a child is told about a lent end: where to join it, and the channel's name.
struct LentEndRef {
  std::uint16_t port = 0;
  std::string key;
  std::uint64_t token = 0;
  std::string channel;
};
CSP_MESSAGE_TYPE(LentEndRef);

/// What a child is told about a shared object it is passed: where it is served, and what it is
/// attached by there (a token of the internal server, for an object its parent lends).
struct LentObjectRef {
  std::string host;
  std::uint16_t port = 0;
  std::string key;
  std::optional<std::string> ca_file;  // over TLS: see ConnectTls
  std::string manager;  // empty for the internal server
  std::string object;
};
CSP_MESSAGE_TYPE(LentObjectRef);

/// The ends lent for one run of a child. Lending starts the internal server on first use;
/// the destructor withdraws the tokens, then waits (a few seconds at most) until the child's
/// connection has let go of its ends, so that the child's process ends after what it did to
/// them: once the child has exited, its connection ends at once.
class Loans {
 public:
  Loans() = default;
  Loans(const Loans&) = delete;
  Loans& operator=(const Loans&) = delete;
  ~Loans();

  /// csp::Error for an end moved from, before the child starts: it could not use it either.
  template <class End>
  LentEndRef lend(const End& end) {
    if (end.moved())
      throw Error("channel '" + end.channel_name() + "': an end moved from was passed to a multiprocess child");
    return add(std::make_shared<LentEndOf<End>>(end));
  }
  LentObjectRef lend_object(std::shared_ptr<ServedObject> object);

 private:
  LentEndRef add(std::shared_ptr<LentEnd> end);
  std::vector<std::uint64_t> tokens_;  // of ends and objects
  std::vector<std::weak_ptr<LentEnd>> ends_;
};

/// In the child: an end of the same direction joined to the parent's channel through its
/// internal server, standing for the end the parent lent.
template <class End>
End borrow(const LentEndRef& ref) {
  using T = typename End::value_type;
  auto core = std::make_shared<RemoteCore<T>>(connect_link(Connect{"127.0.0.1", ref.port, ref.key}),
                                              std::to_string(ref.token), ref.channel);
  core->open(core);
  return End(std::move(core));
}

/// In the child: the object the parent passed, which must be a `type`.
std::shared_ptr<const RemoteObject> attach_lent(const LentObjectRef& ref, const std::string& type);

/// For a child of a process using `remote` (an object served elsewhere): where the child attaches
/// it itself. csp::Error for an object attached as part of another one (a condition's lock).
LentObjectRef pass_on(const RemoteObject& remote);

}  // namespace csp::detail
