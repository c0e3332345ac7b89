// DOT and SVG are written by hand: both are small text formats, and the pictures need only
// boxes, edges, bars and ticks. Every name from the trace is escaped on the way out.

#include "render.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>

#include <fmt/format.h>

extern char** environ;

namespace csp::trace_tool {

namespace {

std::string dot_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string shortened(std::string s, std::size_t max) {
  if (s.size() > max) s = s.substr(0, max - 3) + "...";
  return s;
}

std::string messages(std::uint64_t n) { return fmt::format("{} msg{}", n, n == 1 ? "" : "s"); }

// A blocked process's description names the channels it waits on in quotes.
bool names_channel(const std::string& description, const std::string& channel) {
  return description.find('\'' + channel + '\'') != std::string::npos;
}

std::string status(const Process& p) {
  if (p.blocked()) return "BLOCKED on " + shortened(p.blocked_on, 48);
  if (p.ended) return p.how == End::returned ? "returned" : std::string("ended: ") + end_name(p.how);
  return p.is_process ? "running at the end" : "";
}

std::string duration(double ns) {
  if (ns >= 1e9) return fmt::format("{:.3g} s", ns / 1e9);
  if (ns >= 1e6) return fmt::format("{:.3g} ms", ns / 1e6);
  if (ns >= 1e3) return fmt::format("{:.3g} us", ns / 1e3);
  return fmt::format("{:.0f} ns", ns);
}

}  // namespace

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string network_dot(const Trace& t, bool downwards) {
  std::set<int> shown;
  for (std::size_t i = 0; i < t.processes.size(); ++i)
    if (t.processes[i].is_process) shown.insert(static_cast<int>(i));
  for (const Channel& c : t.channels) {
    shown.insert(c.readers.begin(), c.readers.end());
    shown.insert(c.writers.begin(), c.writers.end());
  }

  std::string out =
      "digraph csp {\n"
      "  graph [rankdir=" + std::string(downwards ? "TB" : "LR") +
      ", nodesep=0.3, ranksep=0.55, fontname=\"Helvetica\", fontsize=12, labelloc=t];\n"
      "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#e3ecfa\", color=\"#3d5a80\","
      " fontname=\"Helvetica\", fontsize=11, margin=\"0.12,0.05\"];\n"
      "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\", fontcolor=\"#333333\","
      " arrowsize=0.7];\n";
  std::size_t blocked = std::count_if(t.processes.begin(), t.processes.end(),
                                      [](const Process& p) { return p.blocked(); });
  out += fmt::format("  label=\"{} processes, {} channels{}{}\";\n", shown.size(),
                     t.channels.size(), blocked ? fmt::format(", {} blocked", blocked) : "",
                     t.complete ? "" : " (trace incomplete)");
  for (int i : shown) {
    const Process& p = t.processes[i];
    std::string label = dot_escape(p.name);
    if (std::string s = status(p); !s.empty()) label += "\\n" + dot_escape(s);
    std::string style;
    if (p.blocked()) style = ", fillcolor=\"#f6b8b8\", color=\"#b00020\", penwidth=2.2";
    else if (!p.is_process) style = ", shape=ellipse, style=\"dashed\"";
    else if (!p.ended) style = ", fillcolor=\"#fdf1c7\"";
    else if (p.how != End::returned) style = ", fillcolor=\"#eeeeee\"";
    out += fmt::format("  p{} [label=\"{}\"{}];\n", i, label, style);
  }
  // A side's processes are those that used it; only if none did, those that held it (a
  // process that passes its ends on to a nested Parallel holds them but never uses them).
  auto side = [](const std::map<int, std::uint64_t>& users, const std::set<int>& holders) {
    std::set<int> used;
    for (auto [p, n] : users) used.insert(p);
    return used.empty() ? holders : used;
  };
  for (std::size_t ci = 0; ci < t.channels.size(); ++ci) {
    const Channel& c = t.channels[ci];
    const std::set<int> writers = side(c.written_by, c.writers), readers = side(c.read_by, c.readers);
    if (readers.empty() && writers.empty()) continue;
    bool waited_on = std::any_of(t.processes.begin(), t.processes.end(), [&](const Process& p) {
      return p.blocked() && names_channel(p.blocked_on, c.name);
    });
    std::string colour = waited_on ? ", color=\"#b00020\", fontcolor=\"#b00020\", penwidth=1.8" : "";
    std::string name = dot_escape(c.name) + (c.poisoned ? " (poisoned)" : "");
    if (readers.size() == 1 && writers.size() == 1) {
      out += fmt::format("  p{} -> p{} [label=\"{}\\n{}\"{}];\n", *writers.begin(),
                         *readers.begin(), name, messages(c.reads), colour);
      continue;
    }
    // Any-to-any: the channel is a node, each edge counts one process's share.
    out += fmt::format(
        "  c{} [shape=ellipse, style=filled, fillcolor=white, fontsize=10, label=\"{}\\n{}\"{}];\n",
        ci, name, messages(c.reads), colour);
    for (int w : writers) {
      auto n = c.written_by.find(w);
      out += fmt::format("  p{} -> c{} [label=\"{}\"{}];\n", w, ci,
                         n == c.written_by.end() ? 0 : n->second, colour);
    }
    for (int r : readers) {
      auto n = c.read_by.find(r);
      out += fmt::format("  c{} -> p{} [label=\"{}\"{}];\n", ci, r,
                         n == c.read_by.end() ? 0 : n->second, colour);
    }
  }
  out += "}\n";
  return out;
}

void render_dot(const std::string& dot_text, const std::string& format, const std::string& out) {
  char path[] = "/tmp/csp-trace-XXXXXX";
  int fd = ::mkstemp(path);
  if (fd < 0) throw BadTrace(fmt::format("cannot make a temporary file: {}", std::strerror(errno)));
  bool written = ::write(fd, dot_text.data(), dot_text.size()) == static_cast<ssize_t>(dot_text.size());
  ::close(fd);
  std::string type = "-T" + format;
  const char* argv[] = {"dot", type.c_str(), "-o", out.c_str(), path, nullptr};
  pid_t pid;
  int spawned = written ? ::posix_spawnp(&pid, "dot", nullptr, nullptr, const_cast<char**>(argv), environ)
                        : EIO;
  int status = 0;
  if (spawned == 0) ::waitpid(pid, &status, 0);
  ::unlink(path);
  if (spawned != 0)
    throw BadTrace(fmt::format("cannot run Graphviz's 'dot' ({}); install graphviz, or write .dot",
                               std::strerror(spawned)));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw BadTrace(fmt::format("'dot' failed to write '{}'", out));
}

std::string network_dot_fitted(const Trace& t) {
  // `dot -Tplain` starts with "graph <scale> <width> <height>".
  auto longer_side = [](const std::string& dot_text) {
    char path[] = "/tmp/csp-trace-plain-XXXXXX";
    int fd = ::mkstemp(path);
    if (fd < 0) return 0.0;
    ::close(fd);
    render_dot(dot_text, "plain", path);
    std::ifstream in(path);
    std::string word;
    double scale = 0, width = 0, height = 0;
    in >> word >> scale >> width >> height;
    ::unlink(path);
    return std::max(width, height);
  };
  std::string across = network_dot(t, false), down = network_dot(t, true);
  return longer_side(down) < longer_side(across) ? down : across;
}

std::string timeline_svg(const Trace& t) {
  std::vector<int> rows;
  for (std::size_t i = 0; i < t.processes.size(); ++i)
    if (t.processes[i].is_process || !t.processes[i].events.empty()) rows.push_back(static_cast<int>(i));
  std::size_t longest = 8;
  for (int i : rows) longest = std::max(longest, std::min<std::size_t>(t.processes[i].name.size(), 28));
  const double left = 16 + 7.0 * static_cast<double>(longest), width = 1200, right = 20;
  const double top = 74, row = 22, plot = width - left - right;
  const double height = top + row * static_cast<double>(rows.size()) + 16;
  // From the first process's start (the trace itself starts with the program)
  // to the last process's end (or the trace's, if one never ended).
  std::uint64_t first = t.end_ns, last = 0;
  for (int i : rows) {
    const Process& p = t.processes[i];
    first = std::min(first, p.start_ns);
    last = std::max({last, p.ended ? p.end_ns : t.end_ns, p.events.empty() ? 0 : p.events.back().time_ns});
  }
  const double span = std::max<double>(1, static_cast<double>(last - std::min(first, last)));
  auto x = [&](std::uint64_t ns) { return left + plot * static_cast<double>(ns - first) / span; };

  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" "
      "viewBox=\"0 0 {:.0f} {:.0f}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{:.0f}\" y=\"20\" font-size=\"15\" font-weight=\"bold\">csp trace: {} processes over {}{}</text>\n",
      width, height, width, height, left, rows.size(), duration(span),
      t.complete ? "" : " (incomplete)");
  struct Key { const char* label; const char* colour; };
  constexpr Key keys[] = {{"read", "#1f63b4"}, {"write", "#2a9d3a"}, {"alternation", "#e8820c"},
                          {"retire", "#777777"}, {"poison", "#8e3fbf"}, {"blocked", "#d62728"}};
  double kx = left;
  for (const Key& k : keys) {
    s += fmt::format("<rect x=\"{:.0f}\" y=\"30\" width=\"10\" height=\"10\" fill=\"{}\"/>"
                     "<text x=\"{:.0f}\" y=\"39\">{}</text>\n", kx, k.colour, kx + 14, k.label);
    kx += 30 + 7.0 * static_cast<double>(std::strlen(k.label));
  }
  for (int i = 0; i <= 5; ++i) {
    double ns = span * i / 5;
    double px = left + plot * i / 5;
    s += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.0f}\" x2=\"{0:.1f}\" y2=\"{2:.0f}\" stroke=\"#dddddd\"/>"
                     "<text x=\"{0:.1f}\" y=\"{3:.0f}\" text-anchor=\"{4}\" fill=\"#555555\">{5}</text>\n",
                     px, top - 8, height - 12, top - 12, i == 0 ? "start" : i == 5 ? "end" : "middle",
                     duration(ns));
  }
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const Process& p = t.processes[rows[r]];
    double y = top + row * static_cast<double>(r);
    std::uint64_t end = p.ended ? p.end_ns : t.end_ns;
    std::uint64_t reads = 0, writes = 0;
    for (const Event& e : p.events) {
      reads += e.kind == Kind::read || e.kind == Kind::alt_input;
      writes += e.kind == Kind::write || e.kind == Kind::alt_output;
    }
    std::string state = p.blocked() ? "blocked on " + p.blocked_on
                        : p.ended   ? fmt::format("{} after {}", end_name(p.how),
                                                  duration(static_cast<double>(p.end_ns - p.start_ns)))
                                    : "still running";
    std::string tip = fmt::format("{}: {} reads, {} writes; {}", p.name, reads, writes, state);
    s += fmt::format("<g><title>{}</title>\n", xml_escape(tip));
    if (r % 2 == 0)
      s += fmt::format("<rect x=\"0\" y=\"{:.0f}\" width=\"{:.0f}\" height=\"{:.0f}\" fill=\"#f6f7f9\"/>\n",
                       y, width, row);
    s += fmt::format("<text x=\"8\" y=\"{:.0f}\"{}>{}</text>\n", y + 15,
                     p.blocked() ? " fill=\"#b00020\" font-weight=\"bold\"" : "",
                     xml_escape(shortened(p.name, 28)));
    const char* fill = p.blocked() ? "#f6b8b8" : p.ended ? "#d6e2f3" : "#fdf1c7";
    s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.0f}\" width=\"{:.1f}\" height=\"14\" fill=\"{}\"{}/>\n",
                     x(p.start_ns), y + 4, std::max(1.0, x(end) - x(p.start_ns)), fill,
                     p.blocked() ? " stroke=\"#d62728\"" : "");
    // One tick per pixel column and kind, however many events fall in it.
    std::set<std::pair<int, int>> ticks;  // (group, column)
    for (const Event& e : p.events) {
      int group = e.kind == Kind::read || e.kind == Kind::alt_input     ? 0
                  : e.kind == Kind::write || e.kind == Kind::alt_output ? 1
                  : e.kind == Kind::alt_timeout || e.kind == Kind::alt_skip ? 2
                  : e.kind == Kind::poison                              ? 4
                                                                        : 3;
      if ((e.kind == Kind::alt_input || e.kind == Kind::alt_output)) ticks.insert({2, static_cast<int>(x(e.time_ns))});
      ticks.insert({group, static_cast<int>(x(e.time_ns))});
    }
    for (auto [group, column] : ticks) {
      double ty = group == 0 ? y + 4 : group == 1 ? y + 11 : y + 2;
      double th = group <= 1 ? 7 : 18;
      double tw = group >= 3 ? 2 : 1;
      s += fmt::format("<rect x=\"{}\" y=\"{:.0f}\" width=\"{:.0f}\" height=\"{:.0f}\" fill=\"{}\"/>\n",
                       column, ty, tw, th, keys[group].colour);
    }
    s += "</g>\n";
  }
  s += "</svg>\n";
  return s;
}

std::string timeline_html(const Trace& t) {
  return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>csp trace timeline</title>"
         "<style>body{margin:12px;font-family:Helvetica,Arial,sans-serif}</style></head><body>\n" +
         timeline_svg(t) + "</body></html>\n";
}

}  // namespace csp::trace_tool
