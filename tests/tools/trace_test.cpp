// Tracing end to end: a known network is recorded, read back by csp-trace's model and its
// counts checked; the pictures of the Fibonacci and sieve examples are well-formed SVG.

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csp/csp.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "render.hpp"
#include "trace_model.hpp"
#include "xml_check.hpp"

namespace {

using namespace std::chrono_literals;
using csp::trace_tool::End;
using csp::trace_tool::Kind;
using csp::trace_tool::Trace;

namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / fmt::format("csp-trace-test-{}", ::getpid());
  fs::create_directories(dir);
  return dir / name;
}

// Records what `run` does in a fresh runtime, then reads it back.
template <class F>
Trace traced(const std::string& name, F run) {
  csp::shutdown();
  fs::path file = scratch(name);
  csp::Configuration{}.trace(file.string()).apply();
  run();
  csp::shutdown();
  csp::Configuration{}.apply();  // stops recording: the file is complete
  return Trace::load(file.string());
}

constexpr int messages = 30;

const auto Producer = csp::process("Producer", [](csp::ChannelEndWrite<int> out) {
  for (int i = 0; i < messages; ++i) out(i);
  csp::poison(out);
});
const auto Stage = csp::process([](csp::ChannelEndRead<int> in, csp::ChannelEndWrite<int> out) {
  for (;;) out(in() * 2);
});
const auto Consumer = csp::process("Consumer", [](csp::ChannelEndRead<int> in) {
  long sum = 0;
  for (;;) sum += in();
});

TEST(Trace, PipelineCountsEveryMessageAndThePoison) {
  Trace t = traced("pipeline.trace", [] {
    csp::Channel<int> c0("pipe-0"), c1("pipe-1"), c2("pipe-2"), c3("pipe-3");
    csp::Parallel(Producer(-c0), Stage(+c0, -c1).name("Stage-1"), Stage(+c1, -c2).name("Stage-2"),
                  Stage(+c2, -c3).name("Stage-3"), Consumer(+c3));
  });
  EXPECT_TRUE(t.complete);
  const char* names[] = {"Producer", "Stage-1", "Stage-2", "Stage-3", "Consumer"};
  for (int i = 0; i < 4; ++i) {
    int c = t.channel(fmt::format("pipe-{}", i));
    ASSERT_GE(c, 0) << "channel pipe-" << i << " is missing";
    const auto& ch = t.channels[c];
    EXPECT_EQ(ch.reads, messages) << ch.name;
    EXPECT_EQ(ch.writes, messages) << ch.name;
    EXPECT_TRUE(ch.poisoned) << ch.name;
    int writer = t.process(names[i]), reader = t.process(names[i + 1]);
    ASSERT_GE(writer, 0);
    ASSERT_GE(reader, 0);
    EXPECT_EQ(ch.written_by.at(writer), messages) << ch.name;
    EXPECT_EQ(ch.read_by.at(reader), messages) << ch.name;
    EXPECT_EQ(ch.writers, std::set<int>{writer}) << ch.name;
    EXPECT_EQ(ch.readers, std::set<int>{reader}) << ch.name;
  }
  const auto& producer = t.processes[t.process("Producer")];
  EXPECT_TRUE(producer.ended);
  EXPECT_EQ(producer.how, End::returned);
  ASSERT_FALSE(producer.events.empty());
  EXPECT_EQ(producer.events.back().kind, Kind::poison);
  for (const char* n : {"Stage-1", "Stage-2", "Stage-3", "Consumer"}) {
    const auto& p = t.processes[t.process(n)];
    EXPECT_TRUE(p.ended) << n;
    EXPECT_EQ(p.how, End::poisoned) << n;
    EXPECT_FALSE(p.blocked()) << n;
    for (std::size_t i = 1; i < p.events.size(); ++i)
      EXPECT_LE(p.events[i - 1].time_ns, p.events[i].time_ns) << n;
    EXPECT_LE(p.start_ns, p.events.front().time_ns) << n;
    EXPECT_LE(p.events.back().time_ns, p.end_ns) << n;
  }
}

TEST(Trace, AlternationChoicesCountAsMessages) {
  Trace t = traced("alt.trace", [] {
    csp::Channel<int> left("alt-left"), right("alt-right");
    auto Writer = csp::process([](csp::ChannelEndWrite<int> out, int n) {
      for (int i = 0; i < n; ++i) out(i);
    });
    auto Chooser = csp::process("Chooser", [](csp::ChannelEndRead<int> a, csp::ChannelEndRead<int> b) {
      int got = 0;
      for (int i = 0; i < 12; ++i) {
        csp::AltSelect(csp::InputGuard(a), csp::InputGuard(b));
        ++got;
      }
      csp::PriSelect(csp::InputGuard(a), csp::TimeoutGuard(1ms));
      csp::retire(a, b);
      return got;
    });
    csp::Parallel(Writer(-left, 5), Writer(-right, 7), Chooser(+left, +right));
  });
  const auto& chooser = t.processes[t.process("Chooser")];
  int inputs = 0, timeouts = 0;
  for (const auto& e : chooser.events) {
    inputs += e.kind == Kind::alt_input;
    timeouts += e.kind == Kind::alt_timeout;
  }
  EXPECT_EQ(inputs, 12);
  EXPECT_EQ(timeouts, 1);
  EXPECT_EQ(t.channels[t.channel("alt-left")].reads, 5u);
  EXPECT_EQ(t.channels[t.channel("alt-right")].reads, 7u);
  EXPECT_EQ(t.channels[t.channel("alt-right")].read_by.at(t.process("Chooser")), 7u);
  EXPECT_TRUE(t.channels[t.channel("alt-left")].retired);
}

const auto Forward = csp::process([](csp::ChannelEndRead<int> in, csp::ChannelEndWrite<int> out) {
  out(in());
});

TEST(Trace, DeadlockedProcessesAreBlockedInTheTraceAndRedInThePicture) {
  csp::Channel<int> a("stuck-a"), b("stuck-b");  // outlive the runtime: the processes stay parked
  Trace t = traced("deadlock.trace", [&] {
    EXPECT_THROW(csp::Parallel(Forward(+a, -b).name("left"), Forward(+b, -a).name("right")),
                 csp::Deadlock);
  });
  const auto& left = t.processes[t.process("left")];
  EXPECT_TRUE(left.blocked());
  EXPECT_EQ(left.blocked_on, "a read from channel 'stuck-a'");
  EXPECT_TRUE(t.processes[t.process("right")].blocked());
  std::string dot = csp::trace_tool::network_dot(t);
  EXPECT_NE(dot.find("left\\nBLOCKED on a read from channel 'stuck-a'"), std::string::npos) << dot;
  EXPECT_NE(dot.find("stuck-a\\n0 msgs\", color=\"#b00020\""), std::string::npos) << dot;
}

TEST(Trace, EnvironmentVariableRecordsWhenTheConfigurationNamesNoFile) {
  fs::path file = scratch("env.trace");
  csp::shutdown();
  ::setenv("CSP_TRACE", file.c_str(), 1);
  csp::Configuration{}.apply();
  csp::Channel<int> c("env-c");
  auto Reader = csp::process([](csp::ChannelEndRead<int> in) { return in(); });
  auto Writer = csp::process([](csp::ChannelEndWrite<int> out) { out(4); });
  auto [got, done] = csp::Parallel(Reader(+c), Writer(-c));
  EXPECT_EQ(got, 4);
  csp::shutdown();
  ::unsetenv("CSP_TRACE");
  csp::Configuration{}.apply();
  Trace t = Trace::load(file.string());
  ASSERT_GE(t.channel("env-c"), 0);
  EXPECT_EQ(t.channels[t.channel("env-c")].reads, 1u);
}

TEST(Trace, UnwritableFileIsACspError) {
  csp::shutdown();
  EXPECT_THROW(csp::Configuration{}.trace("/nonexistent-dir/x.trace").apply(), csp::Error);
}

TEST(Trace, DamagedFilesAreRefusedWithAReason) {
  fs::path file = scratch("bad.trace");
  std::ofstream(file) << "not a trace at all, clearly";
  try {
    Trace::load(file.string());
    FAIL() << "a file that is not a trace was read";
  } catch (const csp::trace_tool::BadTrace& e) {
    EXPECT_NE(std::string(e.what()).find("is not a csp trace"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Trace::load(scratch("missing.trace").string()), csp::trace_tool::BadTrace);
}

// Runs `program args...` with CSP_TRACE=trace; its exit status.
int run_traced(const std::string& program, const std::string& arg, const fs::path& trace) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv("CSP_TRACE", trace.c_str(), 1);
    std::freopen("/dev/null", "w", stdout);
    ::execl(program.c_str(), program.c_str(), arg.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void expect_pictures(const std::string& example, const std::string& arg, std::size_t at_least) {
  fs::path trace = scratch(example + ".trace");
  ASSERT_EQ(run_traced(std::string(CSP_EXAMPLES_DIR) + "/" + example, arg, trace), 0);
  Trace t = Trace::load(trace.string());
  EXPECT_TRUE(t.complete);
  std::size_t processes = 0;
  for (const auto& p : t.processes) processes += p.is_process;
  EXPECT_GE(processes, at_least);

  fs::path graph = scratch(example + ".svg");
  csp::trace_tool::render_dot(csp::trace_tool::network_dot(t), "svg", graph.string());
  std::string svg = slurp(graph);
  EXPECT_EQ(csp_test::xml_problem(svg), "") << graph;
  EXPECT_EQ(csp_test::xml_root(svg), "svg");
  for (const auto& p : t.processes) {
    if (!p.is_process) continue;
    EXPECT_NE(svg.find(">" + csp::trace_tool::xml_escape(p.name) + "</text>"), std::string::npos)
        << p.name << " has no node in " << graph;
  }

  std::string timeline = csp::trace_tool::timeline_svg(t);
  EXPECT_EQ(csp_test::xml_problem(timeline), "");
  EXPECT_EQ(csp_test::xml_root(timeline), "svg");
  for (const auto& p : t.processes) {
    if (!p.is_process) continue;
    EXPECT_NE(timeline.find("<title>" + csp::trace_tool::xml_escape(p.name) + ": "), std::string::npos)
        << p.name << " has no row in the timeline";
  }
}

TEST(TracePictures, FibonacciNetworkIsAValidSvg) { expect_pictures("fibonacci", "20", 8); }

TEST(TracePictures, SieveNetworkIsAValidSvg) { expect_pictures("sieve", "50", 30); }

TEST(TracePictures, XmlCheckerRejectsBrokenDocuments) {
  EXPECT_EQ(csp_test::xml_problem("<svg><g></g></svg>"), "");
  EXPECT_NE(csp_test::xml_problem("<svg><g></svg>"), "");
  EXPECT_NE(csp_test::xml_problem("<svg a=b></svg>"), "");
  EXPECT_NE(csp_test::xml_problem("<svg>a & b</svg>"), "");
  EXPECT_NE(csp_test::xml_problem("<svg></svg><svg></svg>"), "");
}

}  // namespace
