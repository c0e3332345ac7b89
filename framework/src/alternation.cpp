// The select algorithm, after PyCSP's Alternation: offer every channel guard in turn (an
// offer that meets a partner commits at once), then skip, else arm the shortest timeout and
// park; whoever claims the waiter (partner, timer, poison) decides; finally withdraw the rest.

#include <limits>
#include <mutex>
#include <unordered_map>

#include "csp/alternation.hpp"
#include "csp/detail/spin_lock.hpp"
#include "trace.hpp"

namespace csp::detail {

namespace {

// FairSelect remembers, per process and guard set, the index chosen last. The memory is
// process-wide, not thread_local: a process's fiber may resume on another worker thread
// between two selects. Sharded, so that processes on different workers rarely meet on a lock.
struct FairKey {
  const Context* context;
  std::size_t signature;
  bool operator==(const FairKey&) const = default;
};
struct FairKeyHash {
  std::size_t operator()(const FairKey& k) const noexcept {
    return std::hash<const void*>()(k.context) ^ (k.signature * 0x9e3779b97f4a7c15ULL);
  }
};

class FairMemory {
 public:
  /// Where the select keyed `k` should start: after the index it chose last.
  std::size_t start(const FairKey& k, std::size_t n) {
    Shard& s = shard(k);
    std::lock_guard lock(s.lock);
    auto it = s.last.find(k);
    return it == s.last.end() ? 0 : (it->second + 1) % n;
  }
  void remember(const FairKey& k, std::size_t chosen) {
    Shard& s = shard(k);
    std::lock_guard lock(s.lock);
    if (s.last.size() > 4096) s.last.clear();  // entries of ended processes would pile up
    s.last[k] = chosen;
  }

 private:
  struct Shard {
    SpinLock lock;
    std::unordered_map<FairKey, std::size_t, FairKeyHash> last;
  };
  static constexpr int shard_bits = 6;
  Shard& shard(const FairKey& k) noexcept {
    return shards_[(std::uint64_t{FairKeyHash()(k)} * 0x9e3779b97f4a7c15ULL) >> (64 - shard_bits)];
  }
  Shard shards_[1 << shard_bits];
};

FairMemory& fair_memory() {
  static FairMemory* m = new FairMemory;  // never destroyed: processes unwind during exit
  return *m;
}

std::size_t signature(GuardBase* const* guards, std::size_t n) {
  std::size_t h = n;
  for (std::size_t i = 0; i < n; ++i) {
    auto part = reinterpret_cast<std::uintptr_t>(guards[i]->channel()) ^
                static_cast<std::uintptr_t>(guards[i]->kind());
    h = (h ^ part) * 0x100000001b3ULL;
  }
  return h;
}

std::size_t random_below(std::size_t n) {
  thread_local std::uint64_t state = 0x853c49e6748fea9bULL ^ reinterpret_cast<std::uintptr_t>(&state);
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return static_cast<std::size_t>(state % n);
}

struct GuardList {
  GuardBase* const* guards;
  std::size_t n;
};

std::string describe_alternation(const void* subject) {
  auto* list = static_cast<const GuardList*>(subject);
  std::string out = "an alternation over";
  for (std::size_t i = 0; i < list->n; ++i)
    if (const ChannelBase* c = list->guards[i]->channel()) out += " '" + c->name() + "'";
  return out;
}

std::string describe(const GuardBase& g) {
  if (const ChannelBase* c = g.channel()) return c->name();
  return "alternation";
}

}  // namespace

std::size_t select(GuardBase* const* guards, std::size_t n, Policy policy, bool keep,
                   std::unique_ptr<MessageBox>& message) {
  if (n == 0) throw Error("alternation with no guards");
  for (std::size_t i = 0; i < n; ++i) guards[i]->check();

  Context& ctx = current_context();
  FairKey key{&ctx, policy == Policy::fair ? signature(guards, n) : 0};
  std::size_t start = 0;
  if (policy == Policy::any) {
    start = random_below(n);
  } else if (policy == Policy::fair) {
    start = fair_memory().start(key, n);
  }

  GuardList list{guards, n};
  Waiter w(ctx, &describe_alternation, &list);
  bool self_claimed = false;
  std::size_t offered = 0;  // guards start, start+1, ... (mod n) were offered
  std::size_t skip = n, timeout = n;
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t i = (start + k) % n;
    GuardBase& g = *guards[i];
    offered = k + 1;
    if (g.kind() == GuardBase::Kind::skip) {
      if (skip == n) skip = i;
      continue;
    }
    if (g.kind() == GuardBase::Kind::timeout) {
      if (timeout == n || g.timeout() < guards[timeout]->timeout()) timeout = i;
      continue;
    }
    Offer o = g.offer(w, static_cast<int>(i), keep);
    if (o == Offer::completed) self_claimed = true;
    if (o != Offer::queued) break;
  }

  auto withdraw_all = [&] {
    for (std::size_t k = 0; k < offered; ++k) guards[(start + k) % n]->withdraw();
  };

  std::uint64_t timer = 0;
  if (!w.claimed()) {
    if (skip != n) {
      self_claimed = w.claim(static_cast<int>(skip), Outcome::done);
    } else if (timeout != n) {
      timer = arm_timer(w, static_cast<int>(timeout), Outcome::done,
                        Clock::now() + guards[timeout]->timeout());
    }
  }
  if (!self_claimed) {
    try {
      ctx.park(w);
    } catch (...) {
      if (timer) cancel_timer(timer);
      withdraw_all();
      throw;
    }
  }
  if (timer) cancel_timer(timer);
  withdraw_all();

  auto chosen = static_cast<std::size_t>(w.index());
  if (w.outcome() != Outcome::done) raise(w.outcome(), describe(*guards[chosen]));
  if (policy == Policy::fair) fair_memory().remember(key, chosen);
  if (trace::on()) trace::alternation_chose(*guards[chosen], chosen);
  guards[chosen]->complete(message);
  return chosen;
}

}  // namespace csp::detail
