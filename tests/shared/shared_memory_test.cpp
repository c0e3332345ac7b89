#include <csp/csp.hpp>
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "hammer.hpp"

using csp_test::expect_error;

namespace {

std::string unique_name(const char* tag) {
  return std::string("csp_test_") + tag + "_" + std::to_string(::getpid());
}

TEST(SharedMemory, CreateAttachUnlink) {
  std::string name = unique_name("basic");
  auto a = csp::SharedMemory::create(name, 64);
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a.span()[10], std::byte{0});
  a.span()[10] = std::byte{42};
  auto b = csp::SharedMemory::attach(name);
  EXPECT_EQ(b.size(), 64u);
  EXPECT_EQ(b.span()[10], std::byte{42});
  expect_error([&] { csp::SharedMemory::create(name, 8); }, {name, "create"});
  a.unlink();
  expect_error([&] { csp::SharedMemory::attach(name); }, {name, "attach"});
  EXPECT_EQ(b.span()[10], std::byte{42});  // mappings outlive the name
  b.close();
  EXPECT_TRUE(b.span().empty());
  expect_error([&] { a.unlink(); }, {"unlink"});
}

TEST(SharedMemory, BadNames) {
  expect_error([] { csp::SharedMemory::create("/slash", 8); }, {"without '/'"});
  expect_error([] { csp::SharedMemory::create("", 8); }, {"non-empty"});
  expect_error([] { csp::SharedMemory::create(unique_name("zero"), 0); }, {"size"});
}

TEST(SharedMemory, SharedWithAnotherOsProcess) {
  std::string name = unique_name("fork");
  auto block = csp::SharedMemory::create(name, 4096);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // only async-signal-safe-ish work here: no csp runtime in the child
    int code = 1;
    try {
      auto mine = csp::SharedMemory::attach(name);
      for (std::size_t i = 0; i < mine.size(); ++i) mine.span()[i] = std::byte(i % 251);
      code = 0;
    } catch (...) {
    }
    ::_exit(code);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  for (std::size_t i = 0; i < block.size(); ++i) ASSERT_EQ(block.span()[i], std::byte(i % 251));
  block.unlink();
}

}  // namespace
