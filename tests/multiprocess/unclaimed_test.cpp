// A program that forgot the start-up rule (this binary uses GoogleTest's own main, which never
// calls csp::multiprocess_main()): its children refuse to run main again and exit with 127.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include <csp/csp.hpp>

using namespace std::chrono_literals;

namespace {

auto Square = csp::multiprocess([](int x) { return x * x; });

TEST(MultiprocessUnclaimed, ChildExitsWith127AndTheErrorNamesTheRule) {
  auto p = Square(2);
  p.start();
  ASSERT_TRUE(p.join(20s));
  EXPECT_EQ(p.exitcode(), 127);
  try {
    p.result();
    FAIL() << "no error";
  } catch (const csp::ChildProcessError& e) {
    EXPECT_NE(std::string(e.what()).find("csp::multiprocess_main()"), std::string::npos)
        << e.what();
  }
}

}  // namespace
