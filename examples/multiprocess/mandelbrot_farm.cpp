// A worker farm over OS processes: N multiprocess children take bands of rows of a Mandelbrot
// image from one channel and send the computed bands back on another; the parent deals out the
// bands, joins what comes back, writes a PGM file, and checks every pixel against the same
// image computed in this one process.
//
// Usage: mandelbrot_farm [workers] [output.pgm]   (default 4 workers, mandelbrot.pgm)

#include <csp/csp.hpp>
#include <csp/message_type.hpp>

#include <unistd.h>

#include <algorithm>
#include <complex>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <utility>
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

constexpr int band_rows = 16;

// A child process: computes the bands it takes until the dealer retires; returns how many.
auto Worker = csp::multiprocess("mandelbrot", [](csp::ChannelEndRead<std::pair<int, int>> bands,
                                                 csp::ChannelEndWrite<Band> done) {
  int computed = 0;
  try {
    for (;;) {
      auto [first, last] = bands();
      done(compute(first, last));
      ++computed;
    }
  } catch (const csp::ChannelRetireException&) {
    csp::retire(done);
  }
  return computed;
});

// Deals out the image in bands of rows, then retires: the workers end when they run out.
auto Dealer = csp::process([](csp::ChannelEndWrite<std::pair<int, int>> bands) {
  for (int first = 0; first < height; first += band_rows) bands({first, std::min(first + band_rows, height)});
  csp::retire(bands);
});

// Collects every band until the last worker has retired.
auto Collector = csp::process([](csp::ChannelEndRead<Band> done) {
  std::vector<Band> bands;
  try {
    for (;;) bands.push_back(done());
  } catch (const csp::ChannelRetireException&) {
  }
  return bands;
});

}  // namespace

int main(int argc, char** argv) {
  csp::multiprocess_main();  // the start-up rule: in a child, this runs its worker and exits
  int workers = argc > 1 ? std::atoi(argv[1]) : 4;
  std::string path = argc > 2 ? argv[2] : "mandelbrot.pgm";
  if (workers < 1 || workers > height) {
    std::cerr << "workers must be between 1 and " << height << '\n';
    return 2;
  }

  // Anonymous channels: the workers get ends of them as arguments, nothing is served by name.
  csp::Channel<std::pair<int, int>> bands;
  csp::Channel<Band> done;
  std::vector<csp::Process<int>> farm;
  for (int w = 0; w < workers; ++w) farm.push_back(Worker(+bands, -done));
  for (auto& worker : farm) worker.start();
  auto [dealt, collected] = csp::Parallel(Dealer(-bands), Collector(+done));

  std::set<int> children;
  for (auto& worker : farm) {
    worker.join();
    std::cout << "worker pid " << *worker.pid() << " computed " << worker.result() << " bands\n";
    children.insert(*worker.pid());
  }
  std::sort(collected.begin(), collected.end(), [](const Band& a, const Band& b) { return a.first < b.first; });
  std::vector<std::uint8_t> image;
  std::size_t strays = 0;  // bands from no worker of ours
  for (const Band& band : collected) {
    strays += !children.contains(band.pid);
    image.insert(image.end(), band.pixels.begin(), band.pixels.end());
  }
  std::ofstream(path, std::ios::binary) << "P5\n" << width << ' ' << height << "\n255\n"
                                        << std::string(image.begin(), image.end());

  std::vector<std::uint8_t> expected = compute(0, height).pixels;
  std::size_t differing = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) differing += i >= image.size() || image[i] != expected[i];
  bool equal = strays == 0 && differing == 0 && image.size() == expected.size();
  std::cout << width << "x" << height << " image from " << children.size() << " child processes written to "
            << path << ": "
            << (equal ? "equal to the single-process computation"
                      : std::to_string(differing) + " pixels differ, " + std::to_string(strays) + " stray bands")
            << '\n';
  return equal ? 0 : 1;
}
