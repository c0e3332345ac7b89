// Handles that outlive the runtime: their owners are stopped before the actor system goes, so
// using a handle afterwards is a csp::Error and destroying it is harmless.
#include <csp/csp.hpp>
#include <gtest/gtest.h>

#include "hammer.hpp"

namespace {

TEST(SharedShutdown, HandlesOutlivingTheRuntimeFailCleanly) {
  csp::Value<int> v(1);
  csp::Queue<int> q;
  auto [a, b] = csp::Pipe<int>();
  csp::Manager m;
  auto d = m.dict<int, int>();
  d.set(1, 2);
  csp::Lock lock;
  lock.lock();
  csp::shutdown();
  csp_test::expect_error([&] { v.get(); }, {"after csp::shutdown()"});
  csp_test::expect_error([&] { q.put(1); }, {"after csp::shutdown()"});
  csp_test::expect_error([&] { d.get(1); }, {"after csp::shutdown()"});
  lock.unlock();  // nothing left to release: not an error, so unlocking guards stay quiet
}  // destroying every handle (and closing both pipe ends) after the runtime is gone

}  // namespace
