// Message types shared by the remote tests and the peer program they start.
#pragma once

#include <csp/csp.hpp>

#include <string>
#include <vector>

namespace remote_test {

struct Reading {
  std::string sensor;
  std::vector<double> values;
  int sequence;
  bool operator==(const Reading&) const = default;
};
CSP_MESSAGE_TYPE(Reading);

inline Reading reading(int i) {
  std::string sensor = "s";
  sensor += std::to_string(i % 7);
  return {sensor, {i * 0.5, -1.0 * i}, i};
}

}  // namespace remote_test
