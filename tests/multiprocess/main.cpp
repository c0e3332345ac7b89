// main for the multiprocess tests: csp::multiprocess_main() first, as the start-up rule says.
#include <gtest/gtest.h>

#include <csp/multiprocess.hpp>

int main(int argc, char** argv) {
  csp::multiprocess_main();
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
