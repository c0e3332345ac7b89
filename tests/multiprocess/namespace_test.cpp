// A Namespace passed to real child processes: attributes of message types set on either side are
// read on the other, a wrong type or a value that cannot cross is a csp::Error naming it.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include <csp/csp.hpp>

#include "helpers.hpp"

namespace {

struct Point {
  int x;
  int y;
};
CSP_MESSAGE_TYPE(Point);

// Reads what the parent set, sets attributes of its own, and reports what it saw.
auto Exchange = csp::multiprocess([](csp::Namespace ns) {
  std::vector<std::string> seen;
  seen.push_back(std::to_string(ns.get<int>("count")));
  seen.push_back(ns.get<std::string>("label"));
  auto p = ns.get<Point>("where");
  seen.push_back(std::to_string(p.x) + "," + std::to_string(p.y));
  ns.set("reply", "from the child");
  ns.set("corner", Point{7, 9});
  ns.set("squares", std::vector<int>{1, 4, 9});
  ns.set("count", ns.get<int>("count") + 1);
  seen.push_back(ns.contains("label") ? "has label" : "no label");
  seen.push_back(ns.erase("label") ? "erased" : "not erased");
  std::string names;
  for (const std::string& n : ns.names()) names += n + " ";
  seen.push_back(names);
  return seen;
});

TEST(NamespaceAcrossProcesses, AttributesSetOnEitherSideAreReadOnTheOther) {
  csp::Namespace ns;
  ns.set("count", 41);
  ns.set("label", "from the parent");
  ns.set("where", Point{3, 4});
  auto [seen] = csp::Parallel(Exchange(ns));
  EXPECT_EQ(seen, (std::vector<std::string>{"41", "from the parent", "3,4", "has label", "erased",
                                            "corner count reply squares where "}));
  EXPECT_EQ(ns.get<int>("count"), 42);
  EXPECT_EQ(ns.get<std::string>("reply"), "from the child");
  EXPECT_EQ(ns.get<std::vector<int>>("squares"), (std::vector<int>{1, 4, 9}));
  EXPECT_FALSE(ns.contains("label"));
  // A value the child sent is the parent's to update in place, then the child's to read.
  EXPECT_EQ(ns.update<Point>("corner", [](Point& c) { return c.x += 10; }), 17);
  Point c = ns.get<Point>("corner");
  EXPECT_EQ(c.x, 17);
  EXPECT_EQ(c.y, 9);
}

// Reads `attr` as the wrong type, then as the right one.
auto ReadCorner = csp::multiprocess([](csp::Namespace ns) {
  std::vector<std::string> seen;
  seen.push_back(attempt([&] { return std::to_string(ns.get<double>("corner")); }));
  Point c = ns.get<Point>("corner");
  seen.push_back(std::to_string(c.x) + "," + std::to_string(c.y));
  seen.push_back(attempt([&] { return std::to_string(ns.get<int>("nothing")); }));
  seen.push_back(attempt([&] { return std::to_string(ns.get<int>("callback")); }));
  seen.push_back(attempt([&] {
    ns.set("callback", std::function<int()>([] { return 1; }));
    return std::string("set");
  }));
  seen.push_back(attempt([&] { return std::to_string(ns.update<int>("count", [](int& n) { return ++n; })); }));
  return seen;
});

TEST(NamespaceAcrossProcesses, WrongTypesMissingAttributesAndValuesThatCannotCrossAreErrors) {
  csp::Namespace ns;
  ns.set("corner", Point{1, 2});
  ns.set("count", 5);
  ns.set("callback", std::function<int()>([] { return 3; }));
  auto [seen] = csp::Parallel(ReadCorner(ns));
  ASSERT_EQ(seen.size(), 6u);
  // The child's handle has a name of its own (not the parent's), which its errors use.
  EXPECT_EQ(seen[0].rfind("error: '", 0), 0u) << seen[0];
  EXPECT_NE(seen[0].find("'.corner holds "), std::string::npos) << seen[0];
  EXPECT_NE(seen[0].find("Point, not double"), std::string::npos) << seen[0];
  EXPECT_EQ(seen[1], "1,2");
  EXPECT_NE(seen[2].find("' has no attribute 'nothing'"), std::string::npos) << seen[2];
  EXPECT_NE(seen[3].find("'.callback: a std::function<int ()> does not cross to another OS process"),
            std::string::npos) << seen[3];
  EXPECT_NE(seen[4].find("does not cross to another OS process"), std::string::npos) << seen[4];
  EXPECT_NE(seen[5].find("error: "), std::string::npos) << seen[5];  // update(fn) stays local
  EXPECT_EQ(ns.get<int>("count"), 5);
  EXPECT_EQ(ns.get<std::function<int()>>("callback")(), 3);  // the child's set changed nothing
}

}  // namespace
