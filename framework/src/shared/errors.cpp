// The errors shared objects report, out of line: their messages do not depend on the element
// types, and readable type names need the ABI demangler.

#include <cxxabi.h>

#include <cstdlib>

#include "csp/shared/array.hpp"
#include "csp/shared/dict.hpp"
#include "csp/shared/namespace.hpp"
#include "csp/shared/pipe.hpp"
#include "csp/shared/queue.hpp"

namespace csp::detail {

namespace {

std::string readable(const std::type_info& t) {
  int status = 0;
  char* name = abi::__cxa_demangle(t.name(), nullptr, nullptr, &status);
  std::string s = status == 0 && name ? name : t.name();
  std::free(name);
  return s;
}

}  // namespace

void check_index(const std::string& object, std::size_t i, std::size_t size) {
  if (i >= size)
    throw Error("index " + std::to_string(i) + " out of range for '" + object + "' of size " +
                std::to_string(size));
}

Error closed_error(const std::string& name, const char* detail) {
  return Error("'" + name + "' is closed" + detail);
}

Error pipe_error(const std::string& pipe, const char* what) {
  return Error("'" + pipe + "': " + what);
}

EOFError pipe_eof(const std::string& pipe) {
  return EOFError("'" + pipe + "': the other end is closed and nothing is left to receive");
}

Error missing_key(const std::string& dict, const std::string& key) {
  return Error("key " + key + " not found in '" + dict + "'");
}

Error missing_attribute(const std::string& ns, const std::string& attr) {
  return Error("'" + ns + "' has no attribute '" + attr + "'");
}

std::string Attribute::type_name() const { return value_.has_value() ? readable(value_.type()) : encoded_.first; }

Error wrong_type(const std::string& ns, const std::string& attr, const Attribute& held,
                 const std::type_info& wanted) {
  return Error("'" + ns + "'." + attr + " holds " + held.type_name() + ", not " + readable(wanted));
}

Error does_not_cross(const std::string& ns, const std::string& attr, const Attribute& held) {
  return Error("'" + ns + "'." + attr + ": a " + held.type_name() +
               " does not cross to another OS process (not a message type)");
}

}  // namespace csp::detail
