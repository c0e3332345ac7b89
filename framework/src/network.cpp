// The network snapshot. Processes are gathered as shared pointers first, so that no executor
// lock is held while a process is asked what it waits on (terminate() locks the other way).

#include "network.hpp"

#include <mutex>
#include <ostream>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>

#include "csp/network.hpp"
#include "runtime.hpp"
#include "trace.hpp"

namespace csp::detail {

namespace {

struct Groups {
  std::mutex mutex;
  JoinedGroup* head = nullptr;
};

Groups& groups() {
  static Groups* g = new Groups;  // never destroyed: processes may join during exit
  return *g;
}

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string describe_process(const ProcessBase& p) {
  if (std::optional<int> code = p.exitcode())
    return fmt::format("process '{}' has ended (exit code {})", p.name(), *code);
  if (!p.is_alive()) return fmt::format("process '{}' has not started", p.name());
  if (std::string what = p.waiting_on(); !what.empty())
    return fmt::format("process '{}' waits on {}", p.name(), what);
  return fmt::format("process '{}' is running", p.name());
}

std::string describe_channel(const ChannelBase& c) {
  ChannelBase::Stats s = c.stats();
  std::string line = fmt::format("channel '{}': {} and {} joined", c.name(),
                                 plural(s.readers, "reader", "readers"), plural(s.writers, "writer", "writers"));
  if (s.waiting_readers || s.waiting_writers)
    line += fmt::format(", {} and {} waiting", plural(s.waiting_readers, "reader", "readers"),
                        plural(s.waiting_writers, "writer", "writers"));
  if (s.buffered) line += fmt::format(", {} buffered", plural(s.buffered, "message", "messages"));
  if (s.poisoned) line += ", poisoned";
  else if (s.retired) line += ", retired";
  return line;
}

void append(std::string& out, const std::vector<std::string>& lines, std::size_t limit) {
  for (std::size_t i = 0; i < lines.size() && i < limit; ++i) out += "  " + lines[i] + '\n';
  if (lines.size() > limit) out += fmt::format("  ... and {} more\n", lines.size() - limit);
}

}  // namespace

JoinedGroup::JoinedGroup(ProcessBase* const* procs, std::size_t n) : procs_(procs), n_(n) {
  Groups& g = groups();
  std::lock_guard lock(g.mutex);
  next_ = g.head;
  if (next_) next_->prev_ = this;
  g.head = this;
}

JoinedGroup::~JoinedGroup() {
  Groups& g = groups();
  std::lock_guard lock(g.mutex);
  (prev_ ? prev_->next_ : g.head) = next_;
  if (next_) next_->prev_ = prev_;
}

std::vector<std::shared_ptr<ProcessBase>> known_processes(Runtime* runtime) {
  std::vector<std::shared_ptr<ProcessBase>> all;
  {
    Groups& g = groups();
    std::lock_guard lock(g.mutex);
    std::vector<JoinedGroup*> oldest_first;
    for (JoinedGroup* j = g.head; j; j = j->next_) oldest_first.insert(oldest_first.begin(), j);
    for (JoinedGroup* j : oldest_first)
      for (std::size_t i = 0; i < j->n_; ++i) all.push_back(j->procs_[i]->shared_from_this());
  }
  if (runtime) runtime->collect(all);
  std::unordered_set<const ProcessBase*> seen;
  std::erase_if(all, [&](const auto& p) { return !seen.insert(p.get()).second; });
  return all;
}

std::string describe_network(Runtime* runtime, std::size_t limit) {
  std::vector<std::shared_ptr<ProcessBase>> procs = known_processes(runtime);
  std::vector<std::string> process_lines, channel_lines;
  std::unordered_set<const ChannelBase*> seen;
  for (auto& p : procs) {
    process_lines.push_back(describe_process(*p));
    p->visit_ends([&](const ChannelBase& c, Side) {
      if (seen.insert(&c).second) channel_lines.push_back(describe_channel(c));
    });
  }
  std::string out = fmt::format("{} and {}:\n", plural(procs.size(), "process", "processes"),
                                plural(channel_lines.size(), "channel", "channels"));
  ThreadContext::describe_all(process_lines);  // threads that are not processes, like main
  append(out, process_lines, limit);
  append(out, channel_lines, limit);
  return out;
}

void trace_blocked(Runtime& runtime) {
  for (auto& p : known_processes(&runtime))
    if (std::string what = p->waiting_on(); !what.empty())
      trace::record(trace::Kind::blocked, p.get(), 0, what);
}

}  // namespace csp::detail

namespace csp {

void dump_network(std::ostream& out) {
  detail::with_runtime([&](detail::Runtime* r) { out << detail::describe_network(r, SIZE_MAX); });
}

}  // namespace csp
