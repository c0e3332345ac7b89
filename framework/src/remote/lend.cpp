// The registry of channel ends and shared objects lent to multiprocess children, by token, and
// the internal server it starts the first time one is lent.

#include <algorithm>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>

#include "lending.hpp"
#include "wire.hpp"

namespace csp::detail {

namespace {

struct Lending {
  std::mutex mutex;
  std::uint16_t port = 0;  // 0 until the internal server runs
  std::string key;
  std::uint64_t last_token = 0;
  std::map<std::uint64_t, std::shared_ptr<LentEnd>> ends;
  std::map<std::uint64_t, std::shared_ptr<ServedObject>> objects;
  std::condition_variable released;  // a lent end was destroyed
};

Lending& lending() {
  static Lending* l = new Lending;  // lent ends may be withdrawn during exit
  return *l;
}

/// A fresh token (l.mutex held), starting the internal server on first use.
std::uint64_t new_token(Lending& l) {
  if (l.port == 0) {
    std::vector<std::byte> key = wire::make_nonce();
    l.key.assign(reinterpret_cast<const char*>(key.data()), key.size());
    l.port = serve_lent_ends(l.key);
  }
  return ++l.last_token;
}

}  // namespace

LentEndRef Loans::add(std::shared_ptr<LentEnd> end) {
  Lending& l = lending();
  std::string channel = end->core()->name();
  std::lock_guard lock(l.mutex);
  std::uint64_t token = new_token(l);
  tokens_.push_back(token);
  ends_.push_back(end);
  l.ends.emplace(token, std::move(end));
  return {l.port, l.key, token, std::move(channel)};
}

LentObjectRef Loans::lend_object(std::shared_ptr<ServedObject> object) {
  Lending& l = lending();
  std::lock_guard lock(l.mutex);
  std::uint64_t token = new_token(l);
  tokens_.push_back(token);
  l.objects.emplace(token, std::move(object));
  return {"127.0.0.1", l.port, l.key, std::nullopt, {}, std::to_string(token)};
}

LentEnd::~LentEnd() {
  Lending& l = lending();
  std::lock_guard lock(l.mutex);
  l.released.notify_all();
}

Loans::~Loans() {
  Lending& l = lending();
  std::vector<std::shared_ptr<LentEnd>> withdrawn;  // destroyed unlocked, after the wait
  std::unique_lock lock(l.mutex);
  for (std::uint64_t token : tokens_) {
    if (l.objects.erase(token)) continue;
    auto it = l.ends.find(token);
    withdrawn.push_back(std::move(it->second));
    l.ends.erase(it);
  }
  lock.unlock();
  withdrawn.clear();
  lock.lock();
  l.released.wait_for(lock, std::chrono::seconds(5), [this] {
    return std::all_of(ends_.begin(), ends_.end(), [](const auto& e) { return e.expired(); });
  });
}

namespace {

template <class T>
std::shared_ptr<T> find_token(std::map<std::uint64_t, std::shared_ptr<T>> Lending::*lent, std::string_view token) {
  std::uint64_t number = 0;
  auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), number);
  if (error != std::errc() || end != token.data() + token.size()) return nullptr;
  Lending& l = lending();
  std::lock_guard lock(l.mutex);
  auto it = (l.*lent).find(number);
  return it == (l.*lent).end() ? nullptr : it->second;
}

}  // namespace

std::shared_ptr<LentEnd> find_lent(std::string_view token) { return find_token(&Lending::ends, token); }

std::shared_ptr<ServedObject> find_lent_object(std::string_view token) {
  return find_token(&Lending::objects, token);
}

std::shared_ptr<const RemoteObject> attach_lent(const LentObjectRef& ref, const std::string& type) {
  std::optional<ConnectTls> tls;
  if (ref.ca_file) tls = ConnectTls{*ref.ca_file};
  return attach_object(Connect{ref.host, ref.port, ref.key, std::move(tls)}, ref.manager, ref.object, type);
}

}  // namespace csp::detail
