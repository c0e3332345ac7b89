// A worker farm over OS processes: N multiprocess children each compute a band of rows of a
// Mandelbrot image; the parent joins the bands, writes a PGM file, and checks every pixel
// against the same image computed in this one process.
//
// Usage: mandelbrot_farm [workers] [output.pgm]   (default 4 workers, mandelbrot.pgm)

#include <csp/csp.hpp>
#include <csp/message_type.hpp>

#include <unistd.h>

#include <complex>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

namespace {

constexpr int width = 640;
constexpr int height = 480;
constexpr int max_iterations = 255;

// The rows [first, last) of the image, and the OS process that computed them.
struct Band {
  int first = 0;
  int last = 0;
  int pid = 0;
  std::vector<std::uint8_t> pixels;
};

}  // namespace

CSP_MESSAGE_TYPE(Band);

namespace {

std::uint8_t escape_time(int x, int y) {
  std::complex<double> c(-2.2 + 3.2 * x / width, -1.2 + 2.4 * y / height);
  std::complex<double> z;
  int i = 0;
  while (i < max_iterations && std::norm(z) <= 4.0) {
    z = z * z + c;
    ++i;
  }
  return static_cast<std::uint8_t>(max_iterations - i);
}

Band compute(int first, int last) {
  Band band{first, last, static_cast<int>(::getpid()), {}};
  band.pixels.reserve(static_cast<std::size_t>(last - first) * width);
  for (int y = first; y < last; ++y)
    for (int x = 0; x < width; ++x) band.pixels.push_back(escape_time(x, y));
  return band;
}

auto Worker = csp::multiprocess("mandelbrot", [](int first, int last) { return compute(first, last); });

}  // namespace

int main(int argc, char** argv) {
  csp::multiprocess_main();  // the start-up rule: in a child, this runs its band and exits
  int workers = argc > 1 ? std::atoi(argv[1]) : 4;
  std::string path = argc > 2 ? argv[2] : "mandelbrot.pgm";
  if (workers < 1 || workers > height) {
    std::cerr << "workers must be between 1 and " << height << '\n';
    return 2;
  }

  std::vector<csp::Process<Band>> farm;
  for (int w = 0; w < workers; ++w) farm.push_back(Worker(height * w / workers, height * (w + 1) / workers));
  std::vector<Band> bands = csp::Parallel(std::move(farm));

  std::vector<std::uint8_t> image;
  std::set<int> children;
  for (const Band& band : bands) {
    std::cout << "rows " << band.first << ".." << band.last - 1 << " from pid " << band.pid << '\n';
    if (band.pid != ::getpid()) children.insert(band.pid);
    image.insert(image.end(), band.pixels.begin(), band.pixels.end());
  }
  std::ofstream(path, std::ios::binary) << "P5\n" << width << ' ' << height << "\n255\n"
                                        << std::string(image.begin(), image.end());

  std::vector<std::uint8_t> expected = compute(0, height).pixels;
  std::size_t differing = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) differing += i >= image.size() || image[i] != expected[i];
  std::cout << width << "x" << height << " image from " << children.size()
            << " child processes written to " << path << ": " << (differing == 0 && image.size() == expected.size()
                                    ? "equal to the single-process computation"
                                    : std::to_string(differing) + " pixels differ")
            << '\n';
  return differing == 0 && image.size() == expected.size() ? 0 : 1;
}
