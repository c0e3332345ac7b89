// The client side of a connection to a served runtime: connect (through TLS if asked) and prove
// the auth key, then one thread receives replies and hands them to the remote channels and
// shared objects. Shared by every remote channel and object used at the same address with the
// same key and TLS settings; it closes when the last of them goes.

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "csp/detail/activity.hpp"
#include "csp/detail/completion.hpp"
#include "csp/errors.hpp"
#include "../executor.hpp"
#include "../runtime.hpp"
#include "csp/remote/connect.hpp"
#include "csp/remote/detail/lend.hpp"
#include "csp/shared/detail/lock_state.hpp"
#include "detached_threads.hpp"
#include "tls.hpp"
#include "wire.hpp"

namespace csp::detail {

namespace {

using wire::Kind;

int connect_to(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
    throw Error(fmt::format("csp::Connect {}:{}: {}", host, port, ::gai_strerror(rc)));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, ::freeaddrinfo);
  int err = 0;
  for (addrinfo* a = found; a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      int on = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      return fd;
    }
    err = errno;
    ::close(fd);
  }
  throw Error(fmt::format("csp::Connect {}:{}: {}", host, port, std::strerror(err)));
}

class ClientLink;

struct Links {
  std::mutex mutex;
  // By host, port, auth key and TLS CA file (none: plain).
  using Key = std::tuple<std::string, std::uint16_t, std::string, std::optional<std::string>>;
  std::map<Key, std::weak_ptr<ClientLink>> open;
  DetachedThreads receiving;  // one thread a link
};

Links& links() {
  static Links* l = new Links;  // remote channels may close during exit
  return *l;
}

class ClientLink final : public Link, public std::enable_shared_from_this<ClientLink> {
 public:
  /// Through TLS with `tls` if it is not null.
  ClientLink(const Connect& where, const TlsContext& tls)
      : Link(fmt::format("{}:{}", where.host, where.port)), socket_(connect_to(where.host, where.port)) {
    socket_.receive_timeout(5);
    if (tls) {
      try {
        socket_.start_tls(Tls::connecting(tls, where.host));
      } catch (const std::runtime_error& e) {
        throw Error(fmt::format("csp::Connect {}: {}", peer(), e.what()));
      }
    }
    wire::Frame f;
    bool greeted = false;
    try {
      greeted = socket_.receive(f, wire::max_handshake_frame) && f.kind == Kind::hello;
    } catch (const std::exception&) {
    }
    // A TLS server waits in silence for a plain peer's handshake, until it gives up on it.
    if (!greeted)
      throw Error(fmt::format("csp::Connect {}: not a csp runtime{}", peer(), tls ? "" : " (or one requiring TLS)"));
    socket_.send(Kind::auth, 0, 0, wire::prove(where.auth_key, f.tail));
    bool admitted = false;
    try {
      admitted = socket_.receive(f, wire::max_handshake_frame) && f.kind == Kind::welcome;
    } catch (const std::exception&) {
    }
    if (!admitted) throw Error(fmt::format("csp::Connect {}: refused (wrong auth key?)", peer()));
    socket_.receive_timeout(0);
  }

  /// Starts receiving (links().mutex held); the thread keeps the link alive until the
  /// connection ends.
  void start() {
    links().receiving.start([self = shared_from_this()] { self->receive(); });
  }

  /// Ends the connection at once: its channels and objects find it lost, as if the serving
  /// runtime had died.
  void drop() noexcept {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;  // not worth a "lost" line
    }
    socket_.abort();
  }

  bool usable() {
    std::lock_guard lock(mutex_);
    return !closing_;
  }

  Opened open(const std::string& name, const std::string& type, std::weak_ptr<RemoteProxy> proxy) override {
    std::vector<std::byte> tail;
    encode(std::tuple<std::string, std::string>(name, type), tail);
    auto [id, granted] = ask(Kind::open, tail, fmt::format("channel '{}@{}'", name, peer()));
    auto capacity = decode<std::uint64_t>(granted);
    std::lock_guard lock(mutex_);
    proxies_.emplace(id, std::move(proxy));
    return {id, capacity};
  }

  Attached attach(const std::string& manager, const std::string& object, const std::string& type) override {
    std::string what = manager.empty() ? fmt::format("shared object at {}", peer())
                                       : fmt::format("object '{}' of manager '{}' at {}", object, manager, peer());
    return attach_as(0, manager, object, type, what);
  }

  Attached attach_part(std::uint64_t number, const std::string& type) override {
    return attach_as(number, {}, {}, type, fmt::format("part {} of a shared object at {}", number, peer()));
  }

  std::unique_ptr<RemoteCall> start(std::uint32_t id, std::vector<std::byte> request) override {
    auto pending = std::make_shared<PendingCall>(id, caller_id());
    std::optional<std::uint64_t> seq = send_call(id, request, pending);
    if (!seq) throw lost_error();
    return std::make_unique<Ticket>(shared_from_this(), *seq, std::move(pending));
  }

  void post(std::uint32_t id, std::span<const std::byte> request) override {
    // Given up before it is sent: its answer is given back when it comes. Over a lost
    // connection it is dropped: the serving side has freed what this side held.
    auto pending = std::make_shared<PendingCall>(id, caller_id());
    pending->cancelled = true;
    send_call(id, request, std::move(pending));
  }

  void join(std::uint32_t id, Side side) override { socket_.send(Kind::join, id, static_cast<int>(side)); }
  void leave(std::uint32_t id, Side side) override { socket_.send(Kind::leave, id, static_cast<int>(side)); }
  void poison(std::uint32_t id, Side side) override { socket_.send(Kind::poison, id, static_cast<int>(side)); }
  void read(std::uint32_t id, std::uint64_t seq) override { socket_.send(Kind::read, id, seq); }
  void write(std::uint32_t id, std::uint64_t seq, std::span<const std::byte> message, bool batched) override {
    if (!batched) {
      socket_.send(Kind::write, id, seq, message);
      return;
    }
    // A writer on a fiber sends when its executor pauses (every few switches or when idle),
    // with what other writes came meanwhile; any other frame takes them along sooner.
    socket_.send_later(Kind::write, id, seq, message);
    Executor* here = Executor::current();
    if (!here) socket_.flush();
    else if (!flush_pending_.exchange(true))
      here->defer([self = shared_from_this()] {
        self->flush_pending_ = false;
        self->socket_.flush();
      });
  }
  void cancel(std::uint32_t id, std::uint64_t seq) override { socket_.send(Kind::cancel, id, seq); }

  /// See tell_holder_ended().
  /// The requests the holder gave up (a release while unwinding, a call whose held answer
  /// is on its way back) settle first: the serving side then takes back what they took before
  /// it frees the holder's locks, and a lock it was granted as it ended is not reported abandoned.
  void holder_ended(std::uintptr_t holder, std::string_view name) noexcept {
    std::unique_lock lock(mutex_);
    if (objects_.empty() || closing_) return;
    if (calling(holder)) {
      ended_.emplace_back(holder, name);
      return;
    }
    lock.unlock();
    abandon(holder, name);
  }

  void close(std::uint32_t id) noexcept override {
    socket_.send(Kind::close, id, 0);
    std::lock_guard lock(mutex_);
    proxies_.erase(id);
    objects_.erase(id);
    if (proxies_.empty() && objects_.empty() && replies_.empty()) {
      closing_ = true;
      socket_.shutdown();
    }
  }

 private:
  struct Answer {
    std::string refusal;  // empty: opened
    std::vector<std::byte> granted;  // what `opened` tells: a channel's capacity, or an object's
                                     // name and local part
  };
  struct PendingCall {
    PendingCall(std::uint32_t object, std::uintptr_t caller) noexcept : object(object), caller(caller) {}
    std::uint32_t object;
    std::uintptr_t caller;  // caller_id() of the process that sent it
    Completion done;
    std::optional<std::vector<std::byte>> answer;  // none for a withdrawal confirmed
    bool held = false;  // the serving side holds the answer until told `taken` or `returned`
    std::exception_ptr error;  // the serving side's
    bool lost = false;
    bool withdrawn = false;  // its deadline passed: a cancel was sent, and its caller waits on
    bool cancelled = false;  // its caller has given up waiting
  };
  struct Granted {
    std::uint32_t id;
    std::vector<std::byte> granted;  // see Answer
  };

  // A request sent, until its caller has its answer or gives it up.
  class Ticket final : public RemoteCall {
   public:
    Ticket(std::shared_ptr<ClientLink> link, std::uint64_t seq, std::shared_ptr<PendingCall> pending) noexcept
        : link_(std::move(link)), seq_(seq), pending_(std::move(pending)) {}
    ~Ticket() override {
      if (!awaited_) link_->give_up(seq_, *pending_);
    }

    std::optional<std::vector<std::byte>> wait(std::optional<Clock::time_point> deadline) override {
      awaited_ = true;
      try {
        // Past the deadline the request is withdrawn, and the serving side's verdict awaited:
        // its answer if it gave one first, or the withdrawal confirmed.
        if (!pending_->done.wait(deadline)) {
          link_->withdraw(seq_, *pending_);
          pending_->done.wait();
        }
      } catch (...) {  // a terminated process
        link_->give_up(seq_, *pending_);
        throw;
      }
      if (pending_->lost) throw link_->lost_error();
      if (pending_->error) std::rethrow_exception(pending_->error);
      // Said before the caller sees the answer: if this process dies first, it goes back. Over a
      // connection lost by now, the serving side has given it back already.
      if (pending_->held && !link_->socket_.send(Kind::taken, pending_->object, seq_)) throw link_->lost_error();
      return std::move(pending_->answer);
    }

   private:
    std::shared_ptr<ClientLink> link_;
    std::uint64_t seq_;
    std::shared_ptr<PendingCall> pending_;
    bool awaited_ = false;
  };

  // Sends request `pending` to object `id`; its seq, or nothing if the connection is gone.
  std::optional<std::uint64_t> send_call(std::uint32_t id, std::span<const std::byte> request,
                                         std::shared_ptr<PendingCall> pending) {
    std::uint64_t seq;
    {
      std::lock_guard lock(mutex_);
      if (closing_) return std::nullopt;
      seq = ++next_call_;
      calls_.emplace(seq, std::move(pending));
    }
    socket_.send(Kind::call, id, seq, request);  // if it fails, receive() fails the call
    return seq;
  }

  // Sends an `attach` frame (`part` in its seq, see wire::Kind) and waits for it to be granted.
  Attached attach_as(std::uint64_t part, const std::string& manager, const std::string& object,
                     const std::string& type, const std::string& what) {
    std::vector<std::byte> tail;
    encode(std::tuple<std::string, std::string, std::string>(manager, object, type), tail);
    auto [id, granted] = ask(Kind::attach, tail, what, part);
    auto [name, local_part] = decode<std::tuple<std::string, std::vector<std::byte>>>(granted);
    std::lock_guard lock(mutex_);
    objects_.insert(id);
    return {id, std::move(name), std::move(local_part)};
  }

  // Sends an `open` or `attach` frame for a new id and waits for it to be granted; csp::Error
  // starting with `what` if refused.
  Granted ask(Kind kind, std::span<const std::byte> tail, const std::string& what, std::uint64_t seq = 0) {
    std::unique_lock lock(mutex_);
    if (closing_) throw Error(fmt::format("{}: the connection is gone", what));
    std::uint32_t id = ++next_id_;
    replies_[id] = std::nullopt;
    lock.unlock();
    socket_.send(kind, id, seq, tail);
    lock.lock();
    bool answered = replied_.wait_for(lock, std::chrono::seconds(10), [&] { return replies_[id] || closing_; });
    std::optional<Answer> answer = std::move(replies_[id]);
    replies_.erase(id);
    if (!answered || !answer) throw Error(fmt::format("{}: no answer from the serving runtime", what));
    if (!answer->refusal.empty()) throw Error(fmt::format("{}: {}", what, answer->refusal));
    return {id, std::move(answer->granted)};
  }

  // The caller of request `seq` no longer waits. Unanswered, the call is cancelled, and stays
  // until the serving side says it abandoned it or its answer comes (a held one is given back);
  // answered meanwhile, a held answer is given back now.
  void give_up(std::uint64_t seq, PendingCall& pending) {
    std::unique_lock lock(mutex_);
    if (calls_.contains(seq)) {
      pending.cancelled = true;
      lock.unlock();
      if (!pending.withdrawn) socket_.send(Kind::cancel, pending.object, seq);
    } else if (pending.held) {
      lock.unlock();
      socket_.send(Kind::returned, pending.object, seq);
    }
  }

  // The deadline of request `seq` has passed: unless answered meanwhile, it is withdrawn, and
  // its caller waits for the serving side to confirm, or to answer it.
  void withdraw(std::uint64_t seq, PendingCall& pending) {
    {
      std::lock_guard lock(mutex_);
      if (!calls_.contains(seq)) return;
      pending.withdrawn = true;
    }
    socket_.send(Kind::cancel, pending.object, seq);
  }

  // Tells the serving side that the process `holder` failed: the locks it holds there go free.
  void abandon(std::uintptr_t holder, std::string_view name) {
    socket_.send(Kind::abandon, 0, holder, std::as_bytes(std::span(name)));
  }

  // Whether a request of process `holder` awaits its answer (mutex_ held).
  bool calling(std::uintptr_t holder) const {
    return std::any_of(calls_.begin(), calls_.end(), [&](const auto& c) { return c.second->caller == holder; });
  }

  // The ended holders whose requests have all settled, taken from ended_ (mutex_ held).
  std::vector<std::pair<std::uintptr_t, std::string>> abandons_due() {
    std::vector<std::pair<std::uintptr_t, std::string>> due;
    std::erase_if(ended_, [&](auto& e) {
      if (calling(e.first)) return false;
      due.push_back(std::move(e));
      return true;
    });
    return due;
  }

  Error lost_error() const { return Error(fmt::format("shared object at {}: the connection is lost", peer())); }

  void receive() noexcept {
    std::string why;
    try {
      wire::Frame f;
      while (socket_.receive(f, wire::max_frame)) dispatch(f);
    } catch (const std::exception& e) {
      why = e.what();
    }
    std::map<std::uint32_t, std::weak_ptr<RemoteProxy>> proxies;
    std::map<std::uint64_t, std::shared_ptr<PendingCall>> calls;
    {
      std::lock_guard lock(mutex_);
      if (!closing_ && !why.empty()) wire::log(fmt::format("lost {}: {}", peer(), why));
      closing_ = true;
      proxies.swap(proxies_);
      calls.swap(calls_);
      for (auto& [seq, call] : calls) call->lost = true;
    }
    replied_.notify_all();
    socket_.shutdown();
    for (auto& [seq, call] : calls) call->done.complete();
    for (auto& [id, weak] : proxies)
      if (auto p = weak.lock()) p->lost();
  }

  void dispatch(const wire::Frame& f) {
    if (f.kind == Kind::opened || f.kind == Kind::refused) {
      Answer answer;
      if (f.kind == Kind::opened) answer.granted.assign(f.tail.begin(), f.tail.end());
      else if ((answer.refusal = decode<std::string>(f.tail)).empty()) answer.refusal = "refused";
      std::lock_guard lock(mutex_);
      auto it = replies_.find(f.id);
      if (it == replies_.end()) throw wire::ProtocolError("an answer to no open");
      it->second = std::move(answer);
      replied_.notify_all();
      return;
    }
    if (f.kind == Kind::answer || f.kind == Kind::held || f.kind == Kind::failed || f.kind == Kind::cancel) {
      std::unique_lock lock(mutex_);
      auto it = calls_.find(f.seq);
      if (it == calls_.end()) throw wire::ProtocolError("an answer to no request");
      std::shared_ptr<PendingCall> call = it->second;
      if (f.kind == Kind::cancel && !call->withdrawn && !call->cancelled)
        throw wire::ProtocolError("a withdrawal never asked for");
      calls_.erase(it);
      if (call->cancelled) {
        std::vector<std::pair<std::uintptr_t, std::string>> due;
        if (!ended_.empty()) due = abandons_due();
        lock.unlock();
        if (f.kind == Kind::held) socket_.send(Kind::returned, f.id, f.seq);
        for (auto& [holder, name] : due) abandon(holder, name);
        return;
      }
      // Filled in under the lock: a caller giving up finds either its call or the answer.
      if (f.kind == Kind::failed) {
        call->error = failure_error(f.tail);
      } else if (f.kind != Kind::cancel) {
        call->answer.emplace(f.tail.begin(), f.tail.end());
        call->held = f.kind == Kind::held;
      }
      lock.unlock();
      call->done.complete();
      return;
    }
    std::shared_ptr<RemoteProxy> proxy;
    {
      std::lock_guard lock(mutex_);
      if (auto it = proxies_.find(f.id); it != proxies_.end()) proxy = it->second.lock();
    }
    if (!proxy) return;  // closed locally meanwhile
    if (f.kind == Kind::value) {
      proxy->received(f.seq, f.tail);
    } else if (f.kind == Kind::ended && f.tail.size() == 1 &&
               static_cast<std::uint8_t>(f.tail[0]) <= static_cast<std::uint8_t>(Outcome::deadlock)) {
      proxy->ended(f.seq, static_cast<Outcome>(f.tail[0]));
    } else {
      throw wire::ProtocolError(fmt::format("unexpected frame kind {}", static_cast<int>(f.kind)));
    }
  }

  wire::Socket socket_;
  std::atomic<bool> flush_pending_{false};  // an executor will flush the batched writes
  Activity activity_;  // a peer may wake this runtime's processes while connected
  std::mutex mutex_;
  std::condition_variable replied_;
  std::uint32_t next_id_ = 0;
  std::map<std::uint32_t, std::optional<Answer>> replies_;  // opens awaiting an answer
  std::map<std::uint32_t, std::weak_ptr<RemoteProxy>> proxies_;
  std::set<std::uint32_t> objects_;  // shared objects attached
  std::uint64_t next_call_ = 0;
  std::map<std::uint64_t, std::shared_ptr<PendingCall>> calls_;  // awaiting an answer
  std::vector<std::pair<std::uintptr_t, std::string>> ended_;  // holders abandoned once their calls settle
  bool closing_ = false;
};

// The links still open (l.mutex held).
std::vector<std::shared_ptr<ClientLink>> open_links(const Links& l) {
  std::vector<std::shared_ptr<ClientLink>> open;
  for (auto& [key, weak] : l.open)
    if (auto link = weak.lock()) open.push_back(std::move(link));
  return open;
}

// The runtime's stop hook: this runtime's links end, and their threads get a moment.
void close_links() noexcept {
  Links& l = links();
  std::unique_lock lock(l.mutex);
  std::vector<std::shared_ptr<ClientLink>> open = open_links(l);
  l.open.clear();
  lock.unlock();
  for (auto& link : open) link->drop();
  open.clear();
  l.receiving.await(std::chrono::seconds(1));
}

// Listens to holder_ended(): tells every runtime this one has shared objects attached at that
// the process `holder` (its caller_id()) named `name` ended with an exception, so that the locks
// it holds there are freed as its local ones are.
void tell_holder_ended(std::uintptr_t holder, std::string_view name) noexcept {
  Links& l = links();
  std::unique_lock lock(l.mutex);
  std::vector<std::shared_ptr<ClientLink>> open = open_links(l);
  lock.unlock();
  for (auto& link : open) link->holder_ended(holder, name);
}

}  // namespace

std::shared_ptr<Link> connect_link(const Connect& where) {
  [[maybe_unused]] static const bool hooked = (at_stop(close_links), true);  // before l.mutex
  Links& l = links();
  std::lock_guard lock(l.mutex);
  std::optional<std::string> ca_file;
  if (where.tls) ca_file = where.tls->ca_file;
  auto& slot = l.open[{where.host, where.port, where.auth_key, ca_file}];
  if (auto existing = slot.lock(); existing && existing->usable()) return existing;
  auto link = std::make_shared<ClientLink>(where, where.tls ? connecting_context(*where.tls) : nullptr);
  link->start();
  slot = link;
  return link;
}

namespace {

/// A shared object attached on a link, until its last handle goes.
class LinkedObject final : public RemoteObject {
 public:
  /// A part of another object, which no other process attaches by itself.
  LinkedObject(std::shared_ptr<Link> link, Attached attached) noexcept
      : link_(std::move(link)), attached_(std::move(attached)) {}
  /// One that another process attaches too, at `address`.
  LinkedObject(std::shared_ptr<Link> link, Attached attached, LentObjectRef address) noexcept
      : link_(std::move(link)), attached_(std::move(attached)), address_(std::move(address)) {}
  ~LinkedObject() override { link_->close(attached_.id); }
  const std::optional<LentObjectRef>& address() const noexcept { return address_; }
  const std::string& name() const noexcept override { return attached_.name; }
  std::span<const std::byte> local_part() const noexcept override { return attached_.local_part; }
  std::shared_ptr<const RemoteObject> attach_part(std::uint64_t number, const std::string& type) const override {
    return std::make_shared<LinkedObject>(link_, link_->attach_part(number, type));
  }
  std::unique_ptr<RemoteCall> start(std::vector<std::byte> request) const override {
    return link_->start(attached_.id, std::move(request));
  }
  void post(std::span<const std::byte> request) const override { link_->post(attached_.id, request); }

 private:
  std::shared_ptr<Link> link_;
  Attached attached_;
  std::optional<LentObjectRef> address_;
};

}  // namespace

std::shared_ptr<const RemoteObject> attach_object(const Connect& where, const std::string& manager,
                                                  const std::string& object, const std::string& type) {
  // From now on, this runtime's processes may hold locks served elsewhere.
  [[maybe_unused]] static const bool listening = (on_holder_ended(tell_holder_ended), true);
  std::shared_ptr<Link> link = connect_link(where);
  Attached attached = link->attach(manager, object, type);
  std::optional<std::string> ca_file;
  if (where.tls) ca_file = where.tls->ca_file;
  LentObjectRef address{where.host, where.port, where.auth_key, std::move(ca_file), manager, object};
  return std::make_shared<LinkedObject>(std::move(link), std::move(attached), std::move(address));
}

LentObjectRef pass_on(const RemoteObject& remote) {
  const auto& address = dynamic_cast<const LinkedObject&>(remote).address();
  if (!address)
    throw Error("'" + remote.name() + "' was attached as part of another shared object: pass that one on instead");
  return *address;
}

}  // namespace csp::detail
