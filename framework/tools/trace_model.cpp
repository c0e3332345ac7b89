// Reading a trace: records from all threads' batches are merged by time, then replayed.
// Addresses are reused (a stack or channel freed and allocated again), so a process is known
// by its context from its start record until its end, a channel by its address and name.

#include "trace_model.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <unordered_map>

#include <fmt/format.h>

namespace csp::trace_tool {

namespace {

namespace fmt_ = detail::trace;

struct Raw {
  fmt_::Record rec;
  std::string text;
};

std::vector<Raw> read_records(const std::string& file, bool& cut) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw BadTrace(fmt::format("cannot open '{}'", file));
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fmt_::FileHeader h;
  if (bytes.size() < sizeof h) throw BadTrace(fmt::format("'{}' is not a csp trace (too short)", file));
  std::memcpy(&h, bytes.data(), sizeof h);
  if (std::string_view(h.magic, sizeof h.magic) != fmt_::magic)
    throw BadTrace(fmt::format("'{}' is not a csp trace", file));
  if (h.byte_order != fmt_::byte_order)
    throw BadTrace(fmt::format("'{}' was written on a machine of another byte order", file));
  if (h.version != fmt_::version)
    throw BadTrace(fmt::format("'{}' is a trace of version {}; this csp-trace reads version {}",
                               file, h.version, fmt_::version));
  std::vector<Raw> out;
  std::size_t at = sizeof h;
  cut = false;
  while (at < bytes.size()) {
    Raw r;
    if (bytes.size() - at < sizeof r.rec) {
      cut = true;
      break;
    }
    std::memcpy(&r.rec, bytes.data() + at, sizeof r.rec);
    if (static_cast<int>(r.rec.kind) >= fmt_::kind_count)
      throw BadTrace(fmt::format("'{}' is damaged: unknown record at byte {}", file, at));
    at += sizeof r.rec;
    if (fmt_::has_text(r.rec.kind)) {
      std::size_t n = fmt_::padded(r.rec.arg);
      if (bytes.size() - at < n) {
        cut = true;
        break;
      }
      r.text.assign(bytes.data() + at, r.rec.arg);
      at += n;
    }
    out.push_back(std::move(r));
  }
  return out;
}

// Replays records in time order, resolving addresses to processes and channels.
class Replay {
 public:
  explicit Replay(Trace& t) : t_(t) {}

  void apply(const Raw& r) {
    const fmt_::Record& rec = r.rec;
    t_.end_ns = std::max(t_.end_ns, rec.time_ns);
    switch (rec.kind) {
      case Kind::process_start: {
        int p = add_process(r.text, true, rec.time_ns);
        by_context_[rec.who] = p;
        by_object_[rec.what] = p;
        return;
      }
      case Kind::process_end: {
        auto it = by_object_.find(rec.what);
        if (it == by_object_.end()) return;
        int index = it->second;
        by_object_.erase(it);
        Process& p = t_.processes[index];
        p.ended = true;
        p.end_ns = rec.time_ns;
        p.how = static_cast<End>(rec.arg);
        // Stopping the runtime ends parked processes as terminated: they stay blocked.
        if (p.how != End::terminated) p.blocked_on.clear();
        if (auto c = by_context_.find(rec.who); c != by_context_.end() && c->second == index)
          by_context_.erase(c);
        return;
      }
      case Kind::blocked:
        if (auto it = by_object_.find(rec.what); it != by_object_.end())
          t_.processes[it->second].blocked_on = r.text;
        return;
      case Kind::stop:
        t_.complete = true;
        return;
      case Kind::alt_timeout:
      case Kind::alt_skip:
        event(rec, -1);
        return;
      default:
        break;
    }
    int c = channel(rec.what, r.text);
    Channel& ch = t_.channels[c];
    switch (rec.kind) {
      case Kind::holds_reader:
        ch.readers.insert(actor(rec.who, rec.time_ns));
        return;
      case Kind::holds_writer:
        ch.writers.insert(actor(rec.who, rec.time_ns));
        return;
      case Kind::join_reader:
      case Kind::join_writer:
        return;  // mostly main building the network; who uses an end shows when it does
      case Kind::read:
      case Kind::alt_input:
        count(event(rec, c), ch.reads, ch.read_by, ch.readers);
        return;
      case Kind::write:
      case Kind::alt_output:
        count(event(rec, c), ch.writes, ch.written_by, ch.writers);
        return;
      case Kind::poison:
        ch.poisoned = true;
        event(rec, c);
        return;
      case Kind::retire_reader:
      case Kind::retire_writer:
        ch.retired = true;
        event(rec, c);
        return;
      case Kind::destroy:
        return;  // its ends may still poison or retire it; the address is free only later
      default:
        return;
    }
  }

 private:
  int add_process(std::string name, bool is_process, std::uint64_t t) {
    Process p;
    p.name = std::move(name);
    p.is_process = is_process;
    p.start_ns = t;
    t_.processes.push_back(std::move(p));
    return static_cast<int>(t_.processes.size()) - 1;
  }

  // The process (or plain thread) running on context `who`.
  int actor(std::uint64_t who, std::uint64_t t) {
    if (auto it = by_context_.find(who); it != by_context_.end()) return it->second;
    int p = add_process(fmt::format("thread {}", ++threads_), false, t);
    by_context_[who] = p;
    return p;
  }

  static void count(int p, std::uint64_t& total, std::map<int, std::uint64_t>& by,
                    std::set<int>& side) {
    ++total;
    ++by[p];
    side.insert(p);
  }

  int event(const fmt_::Record& rec, int channel) {
    int p = actor(rec.who, rec.time_ns);
    t_.processes[p].events.push_back({rec.time_ns, rec.kind, channel, rec.arg});
    return p;
  }

  // Names are unique among live channels (anonymous ones are numbered), so a new name at a
  // known address is a new channel there.
  int channel(std::uint64_t address, const std::string& name) {
    auto [it, fresh] = channels_.try_emplace(address, static_cast<int>(t_.channels.size()));
    if (!fresh && !name.empty() && !t_.channels[it->second].name.empty() &&
        t_.channels[it->second].name != name) {
      it->second = static_cast<int>(t_.channels.size());
      fresh = true;
    }
    if (fresh) t_.channels.emplace_back();
    Channel& c = t_.channels[it->second];
    if (c.name.empty()) c.name = name;
    return it->second;
  }

  Trace& t_;
  std::unordered_map<std::uint64_t, int> by_context_, by_object_, channels_;
  int threads_ = 0;
};

}  // namespace

Trace Trace::load(const std::string& file) {
  bool cut = false;
  std::vector<Raw> raw = read_records(file, cut);
  // Each thread's batch is in order; merge them by time. At equal times an end goes first,
  // since a reused address can start again only after it ended.
  std::stable_sort(raw.begin(), raw.end(), [](const Raw& a, const Raw& b) {
    if (a.rec.time_ns != b.rec.time_ns) return a.rec.time_ns < b.rec.time_ns;
    return a.rec.kind == Kind::process_end && b.rec.kind == Kind::process_start;
  });
  Trace t;
  t.records = raw.size();
  Replay replay(t);
  for (const Raw& r : raw) replay.apply(r);
  if (cut) t.complete = false;
  for (std::size_t i = 0; i < t.channels.size(); ++i)
    if (t.channels[i].name.empty()) t.channels[i].name = fmt::format("channel@{}", i + 1);
  return t;
}

int Trace::process(const std::string& name) const {
  for (std::size_t i = 0; i < processes.size(); ++i)
    if (processes[i].name == name) return static_cast<int>(i);
  return -1;
}

int Trace::channel(const std::string& name) const {
  for (std::size_t i = 0; i < channels.size(); ++i)
    if (channels[i].name == name) return static_cast<int>(i);
  return -1;
}

const char* kind_name(Kind kind) {
  static constexpr const char* names[] = {
      "start",  "end",       "holds_reader", "holds_writer", "join_reader", "join_writer",
      "retire_reader", "retire_writer", "poison", "read", "write", "destroy",
      "alt_input", "alt_output", "alt_timeout", "alt_skip", "blocked", "stop"};
  static_assert(std::size(names) == fmt_::kind_count);
  return names[static_cast<int>(kind)];
}

const char* end_name(End how) {
  switch (how) {
    case End::returned: return "returned";
    case End::poisoned: return "poisoned";
    case End::retired: return "retired";
    case End::failed: return "failed";
    case End::terminated: return "terminated";
  }
  return "ended";
}

}  // namespace csp::trace_tool
