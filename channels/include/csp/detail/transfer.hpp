// Operations made on a channel on behalf of a party in another process: typed reads and writes
// that exchange bytes, and the registry of named channels with the message type they carry.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "csp/detail/activity.hpp"
#include "csp/detail/channel_core.hpp"
#include "csp/detail/serialize.hpp"

namespace csp::detail {

class Transfer;

/// Told when a queued transfer has been claimed (matched, poisoned, retired or cancelled).
class TransferDone {
 public:
  virtual void transfer_done(Transfer& t) noexcept = 0;

 protected:
  ~TransferDone() = default;
};

/// One read or write offered on a channel for a remote party. It never parks: when a partner
/// claims it later, its wake-up calls TransferDone from the partner's thread.
class Transfer : public Context {
 public:
  explicit Transfer(TransferDone& done) noexcept : waiter_(*this), done_(&done) {}
  virtual ~Transfer() = default;

  /// Offers the operation; on Offer::completed, outcome() says how it ended.
  virtual Offer offer() = 0;
  /// Takes a queued offer back; call only after claiming it with cancel().
  virtual void withdraw() noexcept = 0;
  virtual bool reads() const noexcept = 0;
  /// The message a completed read received.
  virtual void encode(std::vector<std::byte>& out) const = 0;

  /// Claims the transfer so no partner can; false if one already has.
  bool cancel() noexcept { return waiter_.claim(0, Outcome::cancelled); }
  Outcome outcome() const noexcept { return waiter_.outcome(); }

 protected:
  Request request(void* slot) noexcept { return Request{&waiter_, slot, 0, true}; }

 private:
  void suspend() override {}
  void wake() override {
    activity_remove();  // balances unpark(): nothing parked here
    done_->transfer_done(*this);
  }

  Waiter waiter_;
  TransferDone* done_;
};

template <class T>
class ReadTransfer final : public Transfer {
 public:
  ReadTransfer(std::shared_ptr<ChannelCore<T>> core, TransferDone& done)
      : Transfer(done), core_(std::move(core)), request_(request(&slot_)) {}
  Offer offer() override { return core_->offer_read(request_); }
  void withdraw() noexcept override { core_->withdraw(request_); }
  bool reads() const noexcept override { return true; }
  void encode(std::vector<std::byte>& out) const override { detail::encode(*slot_, out); }

 private:
  std::shared_ptr<ChannelCore<T>> core_;
  std::optional<T> slot_;
  Request request_;
};

template <class T>
class WriteTransfer final : public Transfer {
 public:
  WriteTransfer(std::shared_ptr<ChannelCore<T>> core, TransferDone& done, T value)
      : Transfer(done), core_(std::move(core)), value_(std::move(value)), request_(request(&value_)) {}
  Offer offer() override { return core_->offer_write(request_); }
  void withdraw() noexcept override { core_->withdraw(request_); }
  bool reads() const noexcept override { return false; }
  void encode(std::vector<std::byte>&) const override {}

 private:
  std::shared_ptr<ChannelCore<T>> core_;
  T value_;
  Request request_;
};

/// The typed operations on channels of one message type, reached through a channel's name.
class MessageOps {
 public:
  virtual const std::string& type_name() const = 0;
  virtual std::unique_ptr<Transfer> reader(const std::shared_ptr<ChannelBase>& core,
                                           TransferDone& done) const = 0;
  /// Decodes `message` (csp::Error if malformed) and makes the write of it.
  virtual std::unique_ptr<Transfer> writer(const std::shared_ptr<ChannelBase>& core, TransferDone& done,
                                           std::span<const std::byte> message) const = 0;

 protected:
  ~MessageOps() = default;
};

template <class T>
class MessageOpsOf final : public MessageOps {
 public:
  const std::string& type_name() const override { return message_name<T>(); }
  std::unique_ptr<Transfer> reader(const std::shared_ptr<ChannelBase>& core,
                                   TransferDone& done) const override {
    return std::make_unique<ReadTransfer<T>>(std::static_pointer_cast<ChannelCore<T>>(core), done);
  }
  std::unique_ptr<Transfer> writer(const std::shared_ptr<ChannelBase>& core, TransferDone& done,
                                   std::span<const std::byte> message) const override {
    return std::make_unique<WriteTransfer<T>>(std::static_pointer_cast<ChannelCore<T>>(core), done,
                                              decode<T>(message));
  }
  static const MessageOpsOf instance;
};

template <class T>
inline const MessageOpsOf<T> MessageOpsOf<T>::instance{};

/// A named channel other processes may join: its core, and its message type's operations
/// (nullptr when T cannot cross a process boundary; `type` names it then).
struct Published {
  std::shared_ptr<ChannelBase> core;
  const MessageOps* ops;
  std::string type;
};

void publish(const std::string& name, const std::shared_ptr<ChannelBase>& core, const MessageOps* ops,
             std::string_view type);
/// The live channel published under `name`, if any.
std::optional<Published> find_published(const std::string& name);

template <class T>
void publish(const std::string& name, const std::shared_ptr<ChannelCore<T>>& core) {
  if constexpr (message<T>) publish(name, core, &MessageOpsOf<T>::instance, message_name<T>());
  else publish(name, core, nullptr, qualified_name<T>());
}

}  // namespace csp::detail
