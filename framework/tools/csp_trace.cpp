// csp-trace: reads a trace recorded with CSP_TRACE=file (or Configuration::trace) and prints
// what happened, or draws the process network and a per-process timeline.

#include <fstream>
#include <iostream>
#include <string>

#include <fmt/format.h>

#include "render.hpp"
#include "trace_model.hpp"

namespace {

using namespace csp::trace_tool;

constexpr const char* usage =
    "usage: csp-trace summary TRACE          processes, channels and message counts\n"
    "       csp-trace graph TRACE OUT        the process network; OUT ends in .svg, .png or .dot\n"
    "       csp-trace timeline TRACE OUT     one row per process; OUT ends in .svg or .html\n";

std::string extension(const std::string& file) {
  auto dot = file.rfind('.');
  return dot == std::string::npos ? "" : file.substr(dot + 1);
}

void write_file(const std::string& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
  if (!out.flush()) throw BadTrace(fmt::format("cannot write '{}'", file));
}

void summary(const Trace& t) {
  fmt::print("{} processes, {} channels, {} records{}\n", t.processes.size(), t.channels.size(),
             t.records, t.complete ? "" : " (incomplete: the runtime's stop was not recorded)");
  for (const Process& p : t.processes) {
    std::uint64_t reads = 0, writes = 0;
    for (const Event& e : p.events) {
      reads += e.kind == Kind::read || e.kind == Kind::alt_input;
      writes += e.kind == Kind::write || e.kind == Kind::alt_output;
    }
    std::string state = p.blocked() ? "blocked on " + p.blocked_on
                        : p.ended   ? end_name(p.how)
                                    : "running at the end";
    fmt::print("process '{}': {} reads, {} writes, {}\n", p.name, reads, writes, state);
  }
  for (const Channel& c : t.channels)
    fmt::print("channel '{}': {} messages read, {} written{}{}\n", c.name, c.reads, c.writes,
               c.poisoned ? ", poisoned" : "", c.retired ? ", retired" : "");
}

int run(int argc, char** argv) {
  std::string command = argc > 1 ? argv[1] : "";
  if (command == "summary" && argc == 3) {
    summary(Trace::load(argv[2]));
    return 0;
  }
  if ((command == "graph" || command == "timeline") && argc == 4) {
    Trace t = Trace::load(argv[2]);
    std::string out = argv[3], ext = extension(out);
    if (command == "graph" && ext == "dot") write_file(out, network_dot(t));
    else if (command == "graph" && (ext == "svg" || ext == "png")) render_dot(network_dot_fitted(t), ext, out);
    else if (command == "timeline" && ext == "svg") write_file(out, timeline_svg(t));
    else if (command == "timeline" && ext == "html") write_file(out, timeline_html(t));
    else throw BadTrace(fmt::format("cannot tell what to write from '{}'\n{}", out, usage));
    return 0;
  }
  std::cerr << usage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "csp-trace: " << e.what() << '\n';
    return 1;
  }
}
