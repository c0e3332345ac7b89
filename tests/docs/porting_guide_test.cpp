// docs/porting.md is checked against the code it shows: each block marked
// <!-- snippet: FILE NAME --> must be exactly the lines between "// [NAME]" and "// [/NAME]"
// of docs/examples/FILE (which run as tests), and every pinned API name must appear.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::vector<std::string> lines_of(const std::string& file) {
  std::ifstream in(file);
  EXPECT_TRUE(in) << "cannot read " << file;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The marked region, without the indentation its lines share.
std::string snippet(const std::string& file, const std::string& name) {
  std::vector<std::string> lines = lines_of(CSP_DOCS_DIR "/examples/" + file);
  std::vector<std::string> region;
  bool inside = false;
  for (const std::string& line : lines) {
    std::string trimmed = line.substr(std::min(line.find_first_not_of(' '), line.size()));
    if (trimmed == "// [" + name + "]") inside = true;
    else if (trimmed == "// [/" + name + "]") break;
    else if (inside) region.push_back(line);
  }
  std::size_t indent = std::string::npos;
  for (const std::string& line : region)
    if (!line.empty()) indent = std::min(indent, line.find_first_not_of(' '));
  std::string out;
  for (const std::string& line : region) out += (line.empty() ? line : line.substr(indent)) + '\n';
  return out;
}

struct Block {
  std::string file, name, code;
};

std::vector<Block> marked_blocks(const std::vector<std::string>& doc) {
  std::vector<Block> blocks;
  const std::string marker = "<!-- snippet: ";
  for (std::size_t i = 0; i < doc.size(); ++i) {
    if (!doc[i].starts_with(marker)) continue;
    std::istringstream words(doc[i].substr(marker.size()));
    Block b;
    words >> b.file >> b.name;
    EXPECT_TRUE(i + 1 < doc.size() && doc[i + 1] == "```cpp") << "line " << i + 2 << " must open a cpp block";
    for (i += 2; i < doc.size() && doc[i] != "```"; ++i) b.code += doc[i] + '\n';
    blocks.push_back(b);
  }
  return blocks;
}

TEST(PortingGuide, EverySnippetIsTheCodeThatRuns) {
  std::vector<Block> blocks = marked_blocks(lines_of(CSP_DOCS_DIR "/porting.md"));
  EXPECT_GE(blocks.size(), 20u);
  for (const Block& b : blocks) {
    std::string code = snippet(b.file, b.name);
    EXPECT_FALSE(code.empty()) << b.file << " has no snippet [" << b.name << "]";
    EXPECT_EQ(b.code, code) << "porting.md's copy of " << b.file << " [" << b.name << "] differs";
  }
}

TEST(PortingGuide, CoversEveryPinnedName) {
  std::string doc;
  for (const std::string& line : lines_of(CSP_DOCS_DIR "/porting.md")) doc += line + '\n';
  const char* names[] = {
      "csp::process", "csp::Process<", "csp::Parallel", "csp::Sequence", "csp::Spawn",
      "csp::shutdown", "csp::thread_process", "csp::multiprocess", ".start()", ".join(",
      ".is_alive()", ".terminate()", ".exitcode()", ".pid()", ".name(", "csp::Channel<",
      "csp::Buffer", ".reader()", ".writer()", "csp::ChannelEndRead", "csp::ChannelEndWrite",
      "csp::retire", "csp::poison", "csp::ChannelRetireException", "csp::ChannelPoisonException",
      "csp::ChannelException", "csp::Error", "csp::AltSelect", "csp::PriSelect", "csp::FairSelect",
      "csp::InputGuard", "csp::OutputGuard", "csp::TimeoutGuard", "csp::SkipGuard",
      "csp::Alternation", ".index()", ".value<", "csp::Value<", ".get_lock()", "csp::Array<",
      "csp::Manager", ".dict<", ".list<", ".Namespace()", ".Queue<", "csp::Lock", "csp::RLock",
      "csp::Semaphore", "csp::BoundedSemaphore", "csp::Condition", "csp::Event", "csp::Barrier",
      "csp::Queue<", "csp::Pipe<", "csp::Pool", ".map(", ".apply_async(", "csp::SharedMemory",
      "csp::Configuration", "csp::serve", "csp::Connect", "CSP_MESSAGE_TYPE", "csp::Deadlock",
      "csp::dump_network", "CSP_TRACE", "csp-trace"};
  for (const char* name : names) EXPECT_NE(doc.find(name), std::string::npos) << name << " is not in porting.md";
}

}  // namespace
