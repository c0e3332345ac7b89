// The registry of named channels that other processes may join (serve() looks names up here).

#include "csp/detail/transfer.hpp"

#include <map>
#include <mutex>

namespace csp::detail {

namespace {

struct Entry {
  std::weak_ptr<ChannelBase> core;
  const MessageOps* ops;
  std::string type;
};

struct Registry {
  std::mutex mutex;
  std::map<std::string, Entry, std::less<>> channels;
  std::size_t sweep_at = 64;
};

Registry& registry() {
  static Registry* r = new Registry;  // outlives channels destroyed at exit
  return *r;
}

}  // namespace

void publish(const std::string& name, const std::shared_ptr<ChannelBase>& core, const MessageOps* ops,
             std::string_view type) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  // Entries of destroyed channels go when their name is reused, or in a sweep now and then.
  if (r.channels.size() >= r.sweep_at) {
    std::erase_if(r.channels, [](const auto& e) { return e.second.core.expired(); });
    r.sweep_at = std::max<std::size_t>(64, 2 * r.channels.size());
  }
  r.channels.insert_or_assign(name, Entry{core, ops, std::string(type)});
}

std::optional<Published> find_published(const std::string& name) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.channels.find(name);
  if (it == r.channels.end()) return std::nullopt;
  std::shared_ptr<ChannelBase> core = it->second.core.lock();
  if (!core) return std::nullopt;
  return Published{std::move(core), it->second.ops, it->second.type};
}

}  // namespace csp::detail
