// csp::serve: a listening socket, and one session per admitted peer that makes its reads and
// writes on the served channels as Transfers, and its requests to the named managers' objects.
// A peer that goes away poisons what it held; one that sends anything malformed is logged and
// dropped, and nobody else notices.

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <system_error>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "csp/detail/activity.hpp"
#include "csp/detail/transfer.hpp"
#include "csp/errors.hpp"
#include "csp/remote/serve.hpp"
#include "csp/shared/manager.hpp"
#include "../runtime.hpp"
#include "detached_threads.hpp"
#include "lending.hpp"
#include "server.hpp"
#include "tls.hpp"
#include "wire.hpp"

namespace csp::detail {

namespace {

using wire::Kind;

// Where the answers to one peer's requests go: its socket, until its session ends. Each of the
// peer's processes is a caller of its own here: the connection's number in the high half, the
// process's in the low one, and bit 0 set, which no local caller (a context's address) has.
class Answers final : public Requester {
 public:
  Answers(wire::Socket& socket, const std::string& peer)
      : socket_(&socket), peer_(peer), connection_(std::uintptr_t{++connections} << 32 | 1) {}

  std::uintptr_t caller(std::uint64_t client) override {
    // Only the session's thread decodes requests. A peer runs out of memory here long before
    // its processes could reach the connection's half.
    auto [it, added] = callers_.try_emplace(client, 0);
    if (added) it->second = connection_ | callers_.size() << 1;
    return it->second;
  }

  void track(std::uint64_t seq, std::shared_ptr<Call> call) override {
    std::lock_guard lock(mutex_);
    unanswered_.insert_or_assign(seq, std::move(call));
  }

  void answer(std::uint32_t id, std::uint64_t seq, bool failed, std::span<const std::byte> tail,
              std::unique_ptr<Undo> undo) noexcept override {
    bool awaited;  // by end()
    {
      std::lock_guard lock(mutex_);  // held while sending: end() waits for it to let go of the socket
      // A request its peer cancelled, or a peer seen gone (its session may not have noticed yet),
      // gets nothing: what the answer took goes back instead. An answer that took something is
      // held until the peer says its caller took it (the peer may die with it on the way).
      Kind kind = failed ? Kind::failed : undo ? Kind::held : Kind::answer;
      bool sent = unanswered_.erase(seq) && socket_ && !socket_->peer_gone() && socket_->send(kind, id, seq, tail);
      if (sent && kind == Kind::held && held_.try_emplace(seq, std::move(undo)).second) return;
      if (undo) answering_.insert(seq);  // end() waits for it
      awaited = answering_.contains(seq);
    }
    if (undo) undo->run();  // a failed answer's too: its encoding failed
    if (!awaited) return;
    std::lock_guard lock(mutex_);
    answering_.erase(seq);
    answered_.notify_all();
  }

  // The peer's caller took the answer held for request `seq` (`taken`), or gave it back.
  // ProtocolError if none is held.
  void settle(std::uint64_t seq, bool taken) {
    std::unique_ptr<Undo> undo;
    {
      std::lock_guard lock(mutex_);
      auto held = held_.extract(seq);
      if (!held) throw wire::ProtocolError("no answer held for that request");
      undo = std::move(held.mapped());
    }
    if (!taken) undo->run();
  }

  // The peer withdraws request `seq`. Unclaimed, it is abandoned, and the peer told so with
  // `cancel`; claimed by its owner (answered, or about to be), the answer goes to the peer,
  // which uses it or gives it back.
  void cancel(std::uint32_t id, std::uint64_t seq) {
    std::lock_guard lock(mutex_);
    auto it = unanswered_.find(seq);
    if (it == unanswered_.end() || !it->second->abandon()) return;
    unanswered_.erase(it);
    if (socket_) socket_->send(Kind::cancel, id, seq);
  }

  // The peer's process `client` failed: the locks it holds are freed, as a local one's are.
  void holder_ended(std::uint64_t client, std::string_view name) {
    auto it = callers_.find(client);
    if (it == callers_.end()) return;  // it never asked for anything here
    holders_ended(it->second, ~std::uintptr_t{0},
                  fmt::format("its holder '{}', a process of the peer at {}, ended with an exception", name, peer_));
  }

  // The peer has gone: its requests still parked in an owner are abandoned (the owner takes
  // nothing for them); one its owner is answering right now finds no socket, and gives back
  // what it took, as do the answers held for it. Then the locks its processes hold are freed,
  // and their next acquirers told: a lock the peer never took, granted as it went too, is free
  // by then, and nobody is told.
  void end() noexcept {
    std::map<std::uint64_t, std::shared_ptr<Call>> unanswered;
    std::map<std::uint64_t, std::unique_ptr<Undo>> held;
    std::unique_lock lock(mutex_);
    socket_ = nullptr;
    unanswered.swap(unanswered_);
    held.swap(held_);
    for (auto& [seq, call] : unanswered)
      if (!call->abandon()) answering_.insert(seq);  // claimed: answer() comes in a moment
    lock.unlock();
    for (auto& [seq, undo] : held) undo->run();
    lock.lock();
    answered_.wait_for(lock, std::chrono::seconds(1), [this] { return answering_.empty(); });
    lock.unlock();
    if (!callers_.empty())
      holders_ended(connection_, ~std::uintptr_t{0} << 32 | 1,
                    fmt::format("its holder, a process of the peer at {}, went away", peer_));
  }

 private:
  static_assert(sizeof(std::uintptr_t) >= sizeof(std::uint64_t), "callers of peers need 64 bits");
  inline static std::atomic<std::uint32_t> connections{0};

  std::mutex mutex_;
  wire::Socket* socket_;
  std::map<std::uint64_t, std::shared_ptr<Call>> unanswered_;
  std::map<std::uint64_t, std::unique_ptr<Undo>> held_;  // answers the peer has not yet taken
  std::set<std::uint64_t> answering_;  // answers that give back what they took, once end() began
  std::condition_variable answered_;    // one of them has
  std::string peer_;
  std::uintptr_t connection_;  // its callers under the mask given to holders_ended()
  std::unordered_map<std::uint64_t, std::uintptr_t> callers_;  // by the peer's caller_id()
};

class Session final : public TransferDone {
 public:
  /// `lending`: the peer is a multiprocess child that opens lent ends, not served channels.
  Session(int fd, std::string key, bool lending, TlsContext tls,
          std::chrono::milliseconds patience = wire::peer_patience)
      : socket_(fd, patience),
        peer_(wire::peer_name(fd)),
        key_(std::move(key)),
        lending_(lending),
        tls_(std::move(tls)) {}

  void run() noexcept {
    std::string why;
    try {
      if (admit()) serve();
    } catch (const std::exception& e) {
      why = e.what();
    }
    end(why);
  }

  /// Ends the connection at once: run() ends the session as if the peer had gone.
  void drop() noexcept { socket_.abort(); }

  void transfer_done(Transfer& t) noexcept override {
    Key key;
    {
      std::lock_guard lock(mutex_);
      auto it = keys_.find(&t);
      if (it == keys_.end()) return;  // cancelled meanwhile
      key = it->second;
      keys_.erase(it);
    }
    // The transfer leaves transfers_ only once answered: a session whose peer has left waits
    // for that before it goes, socket and all (a reader taking a kept write calls this).
    reply(key, t);
    std::unique_ptr<Transfer> owned;
    std::lock_guard lock(mutex_);
    auto it = transfers_.find(key);
    owned = std::move(it->second);
    transfers_.erase(it);
    if (transfers_.empty()) drained_.notify_all();
  }

 private:
  using Key = std::pair<std::uint32_t, std::uint64_t>;  // channel id, the peer's operation
  struct Attached {
    std::shared_ptr<ChannelBase> core;
    const MessageOps* ops;
    std::shared_ptr<LentEnd> lent;  // the peer's joins stand for this end's one join
    int joins[2] = {0, 0};          // by Side
  };

  bool admit() {
    socket_.receive_timeout(5);
    // Only the start needs the context and the key: the session keeps neither.
    if (TlsContext tls = std::move(tls_)) socket_.start_tls(Tls::serving(tls));
    std::string key = std::exchange(key_, {});
    std::vector<std::byte> nonce = wire::make_nonce();
    socket_.send(Kind::hello, 0, 0, nonce);
    wire::Frame f;
    if (!socket_.receive(f, wire::max_handshake_frame)) return false;
    if (f.kind != Kind::auth) throw wire::ProtocolError("expected an authentication frame");
    if (!wire::proof_matches(wire::prove(key, nonce), f.tail)) {
      wire::log(fmt::format("refused peer {}: wrong auth key", peer_));
      return false;
    }
    socket_.receive_timeout(0);
    socket_.send(Kind::welcome, 0, 0);
    return true;
  }

  void serve() {
    wire::Frame f;
    while (socket_.receive(f, wire::max_frame)) {
      if (f.kind == Kind::open) {
        open(f);
        continue;
      }
      if (f.kind == Kind::attach) {
        attach(f);
        continue;
      }
      if (f.kind == Kind::call) {
        call(f);
        continue;
      }
      if (f.kind == Kind::taken || f.kind == Kind::returned) {
        answers_->settle(f.seq, f.kind == Kind::taken);
        continue;
      }
      if (f.kind == Kind::abandon) {
        answers_->holder_ended(f.seq, {reinterpret_cast<const char*>(f.tail.data()), f.tail.size()});
        continue;
      }
      if (f.kind == Kind::cancel && objects_.contains(f.id)) {
        answers_->cancel(f.id, f.seq);
        continue;
      }
      if (f.kind == Kind::close && objects_.erase(f.id)) continue;
      Attached& a = attached(f.id);
      auto side = static_cast<Side>(f.seq & 1);
      switch (f.kind) {
        case Kind::join:
          if (!a.lent) a.core->join(side);
          else if (side != a.lent->side) throw wire::ProtocolError("a join on the side not lent");
          ++a.joins[static_cast<int>(side)];
          break;
        case Kind::leave:
          if (a.joins[static_cast<int>(side)] == 0) throw wire::ProtocolError("leave without a join");
          --a.joins[static_cast<int>(side)];
          if (!a.lent) a.core->leave(side);
          else if (a.joins[static_cast<int>(side)] == 0) a.lent->retire();
          break;
        case Kind::poison:
          a.core->poison(side);
          break;
        case Kind::read:
        case Kind::write:
          // A copy of the lent end retired its join: as on a local copy, operations fail.
          if (a.lent && a.lent->retired()) send_ended({f.id, f.seq}, Outcome::retired);
          else if (f.kind == Kind::read) start({f.id, f.seq}, a.ops->reader(a.core, *this));
          else start({f.id, f.seq}, a.ops->writer(a.core, *this, f.tail));
          break;
        case Kind::cancel:
          cancel({f.id, f.seq});
          break;
        case Kind::close:
          // The peer's last handle went: ends it never retired can never be used again, so
          // they retire now (a peer that dies without saying so poisons them instead). A lent
          // end stays joined, as a local process's end does when it returns.
          if (a.lent) break;
          for (Side s : {Side::reader, Side::writer})
            for (int& n = a.joins[static_cast<int>(s)]; n > 0; --n) a.core->leave(s);
          break;
        default:
          throw wire::ProtocolError(fmt::format("unexpected frame kind {}", static_cast<int>(f.kind)));
      }
    }
  }

  void open(const wire::Frame& f) {
    std::tuple<std::string, std::string> request = decode<std::tuple<std::string, std::string>>(f.tail);
    const auto& [name, type] = request;
    std::optional<Published> p;
    std::shared_ptr<LentEnd> lent;
    if (!lending_) p = find_published(name);
    else if ((lent = find_lent(name))) p = Published{lent->core(), &lent->ops, lent->ops.type_name()};
    std::string refusal;
    if (!p) refusal = fmt::format("no channel '{}' is served here", name);
    else if (!p->ops)
      refusal = fmt::format("channel '{}' carries '{}', which is not a message type (CSP_MESSAGE_TYPE)", name, p->type);
    else if (p->ops->type_name() != type)
      refusal = fmt::format("channel '{}' carries '{}', not '{}'", name, p->type, type);
    if (!refusal.empty()) return refuse(f.id, refusal);
    check_new(f.id);
    std::uint64_t capacity = p->core->capacity();
    channels_.emplace(f.id, Attached{std::move(p->core), p->ops, std::move(lent)});
    grant(f.id, capacity);
  }

  void attach(const wire::Frame& f) {
    auto [manager, name, type] = decode<std::tuple<std::string, std::string, std::string>>(f.tail);
    std::string refusal;
    std::shared_ptr<ServedObject> object;
    if (f.seq != 0) object = take_part(f.seq, refusal);
    else if (!lending_) object = find_served(manager, name, refusal);
    else if (!manager.empty() || !(object = find_lent_object(name))) refusal = "no such object is lent";
    if (object && object->type() != type) refusal = wrong_object_type(manager, name, object->type(), type).what();
    if (!refusal.empty()) return refuse(f.id, refusal);
    check_new(f.id);
    const ServedObject& granted = *objects_.emplace(f.id, std::move(object)).first->second;
    std::vector<std::byte> local_part = granted.local_part([this](std::shared_ptr<ServedObject> part) {
      parts_.emplace(++last_part_, std::move(part));
      return last_part_;
    });
    grant(f.id, std::tuple<std::string, std::vector<std::byte>>(granted.name(), std::move(local_part)));
  }

  // The part `number` lent with an object granted earlier, which can be attached once.
  std::shared_ptr<ServedObject> take_part(std::uint64_t number, std::string& refusal) {
    auto it = parts_.find(number);
    if (it == parts_.end()) {
      refusal = fmt::format("no part {} is lent", number);
      return nullptr;
    }
    std::shared_ptr<ServedObject> part = std::move(it->second);
    parts_.erase(it);
    return part;
  }

  // Hands the request to the object's owner: the answer is sent when the owner gives it, so a
  // request that waits (a queue's get) holds up none of this peer's later ones.
  void call(const wire::Frame& f) {
    const ServedObject& target = object(f.id);
    try {
      target.start(f.tail, f.id, f.seq, answers_);
    } catch (...) {  // a malformed request: it fails, the session goes on
      socket_.send(Kind::failed, f.id, f.seq, failure_message(std::current_exception()));
    }
  }

  const ServedObject& object(std::uint32_t id) const {
    auto it = objects_.find(id);
    if (it == objects_.end()) throw wire::ProtocolError(fmt::format("unknown object id {}", id));
    return *it->second;
  }

  void refuse(std::uint32_t id, const std::string& refusal) {
    std::vector<std::byte> tail;
    encode(refusal, tail);
    socket_.send(Kind::refused, id, 0, tail);
  }

  // `granted`: a channel's capacity (std::uint64_t), a shared object's name and local part.
  template <class Granted>
  void grant(std::uint32_t id, const Granted& granted) {
    std::vector<std::byte> tail;
    encode(granted, tail);
    socket_.send(Kind::opened, id, 0, tail);
  }

  void check_new(std::uint32_t id) const {
    if (channels_.contains(id) || objects_.contains(id)) throw wire::ProtocolError("an id opened twice");
  }

  Attached& attached(std::uint32_t id) {
    auto it = channels_.find(id);
    if (it == channels_.end()) throw wire::ProtocolError(fmt::format("unknown channel id {}", id));
    return it->second;
  }

  void start(Key key, std::unique_ptr<Transfer> t) {
    Transfer* raw = t.get();
    {
      std::lock_guard lock(mutex_);
      if (transfers_.contains(key)) throw wire::ProtocolError("operation started twice");
      keys_.emplace(raw, key);
      transfers_.emplace(key, std::move(t));
    }
    if (raw->offer() != Offer::queued) transfer_done(*raw);
  }

  void cancel(Key key) {
    std::lock_guard lock(mutex_);
    auto it = transfers_.find(key);
    if (it == transfers_.end() || !it->second->cancel()) return;  // done, or ending now
    it->second->withdraw();
    keys_.erase(it->second.get());
    transfers_.erase(it);
  }

  void send_ended(Key key, Outcome outcome) {
    std::byte b{static_cast<std::uint8_t>(outcome)};
    socket_.send(Kind::ended, key.first, key.second, {&b, 1});
  }

  void reply(Key key, const Transfer& t) {
    if (t.outcome() == Outcome::cancelled) return;
    if (t.outcome() != Outcome::done || !t.reads()) {
      send_ended(key, t.outcome());
      return;
    }
    std::vector<std::byte> message;
    t.encode(message);
    socket_.send(Kind::value, key.first, key.second, message);
  }

  // The peer is gone: poison what it still held, and withdraw its offers, except writes to
  // buffered channels: those count as buffered (it may have sent them on credit), so they stay
  // until a reader takes them or a poison fails them, and the session waits for that. A child
  // holding lent ends poisons them only on a broken connection: its parent sees how it ended.
  void end(const std::string& why) noexcept {
    if (!why.empty()) wire::log(fmt::format("dropped peer {}: {}", peer_, why));
    socket_.shutdown();
    for (auto& [id, a] : channels_) {
      if (a.lent && why.empty()) continue;
      bool readers = a.joins[static_cast<int>(Side::reader)] > 0;
      bool writers = a.joins[static_cast<int>(Side::writer)] > 0;
      if (readers || writers) a.core->poison(readers ? Side::reader : Side::writer);
    }
    {
      std::unique_lock lock(mutex_);
      for (auto it = transfers_.begin(); it != transfers_.end();) {
        bool buffered = !it->second->reads() && channels_.at(it->first.first).core->capacity() > 0;
        if (!buffered && it->second->cancel()) {
          it->second->withdraw();
          keys_.erase(it->second.get());
          it = transfers_.erase(it);
        } else {
          ++it;  // kept, or claimed by a partner, who answers it in transfer_done
        }
      }
      drained_.wait(lock, [this] { return transfers_.empty(); });
    }
    answers_->end();
    channels_.clear();
    objects_.clear();
  }

  wire::Socket socket_;
  std::string peer_;
  std::string key_;  // until admit()
  bool lending_;
  TlsContext tls_;  // until admit(); none: plain TCP
  std::map<std::uint32_t, Attached> channels_;  // touched only by the session's thread
  std::map<std::uint32_t, std::shared_ptr<ServedObject>> objects_;  // the same
  std::map<std::uint64_t, std::shared_ptr<ServedObject>> parts_;  // lent with a grant, not yet attached
  std::uint64_t last_part_ = 0;
  std::shared_ptr<Answers> answers_ = std::make_shared<Answers>(socket_, peer_);
  std::mutex mutex_;                            // guards the two maps below
  std::condition_variable drained_;
  std::map<Key, std::unique_ptr<Transfer>> transfers_;
  std::unordered_map<const Transfer*, Key> keys_;
};

int listen_on(const std::string& bind, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(bind.c_str(), service.c_str(), &hints, &found); rc != 0)
    throw Error(fmt::format("csp::serve: bad address '{}': {}", bind, ::gai_strerror(rc)));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, ::freeaddrinfo);
  int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw Error(fmt::format("csp::serve: no socket: {}", std::strerror(errno)));
  int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd, 64) != 0) {
    int err = errno;
    ::close(fd);
    throw Error(fmt::format("csp::serve: cannot listen on {}:{}: {}", bind, port, std::strerror(err)));
  }
  return fd;
}

std::uint16_t bound_port(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

// What csp::serve started, so that a runtime's stop can end it: the sockets it listens on and
// the sessions they run. The internal server of lent ends is not among them: the multiprocess
// children it serves may outlive the runtime that lent them, and the port stays registered.
struct Served {
  std::mutex mutex;
  std::set<int> listening;
  std::set<Session*> sessions;
  DetachedThreads threads;  // of listening sockets and sessions
};

Served& served() {
  static Served* s = new Served;  // a runtime stops during exit too
  return *s;
}

// The runtime's stop hook: new peers are refused and sessions end, as the death of this OS
// process would end them; their threads get a moment (a session waits for the writes it kept
// on credit to be taken or poisoned).
void stop_serving() noexcept {
  Served& s = served();
  {
    std::lock_guard lock(s.mutex);
    for (int fd : s.listening) ::shutdown(fd, SHUT_RDWR);  // wakes accept() with an error
    s.listening.clear();
    for (Session* session : s.sessions) session->drop();
  }
  s.threads.await(std::chrono::seconds(1));
}

// `tracked`: one of csp::serve's, which a runtime's stop ends.
void run_session(std::unique_ptr<Session> session, bool tracked) {
  if (!tracked) {
    std::thread([session = std::move(session)] { session->run(); }).detach();
    return;
  }
  Served& s = served();
  s.sessions.insert(session.get());  // s.mutex held by the caller
  s.threads.start([session = std::move(session)] {
    session->run();
    Served& s = served();
    std::lock_guard lock(s.mutex);
    s.sessions.erase(session.get());
  });
}

// Until the socket fails, or (`lending` aside) a runtime's stop closes it. `patience`: see
// ServeOptions::peer_patience.
void accept_forever(int fd, std::string key, bool lending, TlsContext tls, std::chrono::milliseconds patience) {
  Served& s = served();
  for (;;) {
    int peer = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    int err = errno;
    std::lock_guard lock(s.mutex);
    bool stopped = !lending && !s.listening.contains(fd);
    if (peer >= 0 && stopped) ::close(peer);
    if (stopped) break;
    if (peer < 0) {
      if (err == EINTR || err == ECONNABORTED || err == EMFILE || err == ENFILE) continue;
      wire::log(fmt::format("stopped serving: {}", std::strerror(err)));
      s.listening.erase(fd);
      break;
    }
    int on = 1;
    ::setsockopt(peer, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    run_session(std::make_unique<Session>(peer, key, lending, tls, patience), !lending);
  }
  ::close(fd);
  if (!lending) activity_drop(1);  // taken by csp::serve: no peer can come any more
}

}  // namespace

void serve_connection(int fd, std::string auth_key, bool lending, TlsContext tls) noexcept {
  Session(fd, std::move(auth_key), lending, std::move(tls)).run();
}

}  // namespace csp::detail

namespace csp {

std::uint16_t serve(std::uint16_t port, const ServeOptions& options) {
  detail::TlsContext tls = options.tls ? detail::serving_context(*options.tls) : nullptr;
  int fd = detail::listen_on(options.bind, port);
  std::uint16_t bound = detail::bound_port(fd);
  [[maybe_unused]] static const bool hooked = (detail::at_stop(detail::stop_serving), true);
  {
    detail::Served& s = detail::served();
    // Until the runtime stops: while a peer may still come, deadlock detection must not end it.
    detail::activity_add();
    std::lock_guard lock(s.mutex);
    s.listening.insert(fd);
    s.threads.start([fd, key = options.auth_key, tls = std::move(tls), patience = options.peer_patience] {
      detail::accept_forever(fd, key, false, tls, patience);
    });
  }
  return bound;
}

namespace detail {

std::uint16_t serve_lent_ends(const std::string& key) {
  int fd = listen_on("127.0.0.1", 0);
  std::uint16_t bound = bound_port(fd);
  std::thread(accept_forever, fd, key, true, nullptr, wire::peer_patience).detach();
  return bound;
}

}  // namespace detail

}  // namespace csp
