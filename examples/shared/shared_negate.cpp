// Python's "sharing state between processes" example: a child process negates a shared
// Value<double> and every element of a shared Array<int>; then the ctypes example, where a
// child squares the fields of an array of Point structs.

#include <csp/csp.hpp>

#include <iostream>
#include <span>

namespace {

struct Point {
  double x;
  double y;
};

const auto Negate = csp::process([](csp::Value<double> num, csp::Array<int> arr) {
  num.update([](double& n) { n = -n; });
  arr.update([](std::span<int> a) {
    for (int& x : a) x = -x;
  });
});

const auto Square = csp::process([](csp::Array<Point> points) {
  points.update([](std::span<Point> ps) {
    for (Point& p : ps) p = {p.x * p.x, p.y * p.y};
  });
});

}  // namespace

int main() {
  csp::Value<double> num(3.1415927);
  csp::Array<int> arr{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  csp::Parallel(Negate(num, arr));

  std::cout.precision(8);
  std::cout << "num = " << num.get() << "\narr =";
  for (int x : arr.snapshot()) std::cout << ' ' << x;

  csp::Array<Point> points{{1.875, -6.25}, {-5.75, 2.0}, {2.375, 9.5}};
  csp::Parallel(Square(points));
  std::cout << "\npoints =";
  for (const Point& p : points.snapshot()) std::cout << " (" << p.x << ", " << p.y << ')';
  std::cout << '\n';
}
