// Between the registry of channel ends lent to multiprocess children and the internal server
// whose sessions let those children join them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "csp/remote/detail/lend.hpp"

namespace csp::detail {

/// Starts the internal server: loopback, a free port (returned), peers must know `key`; its
/// sessions open lent ends by token instead of served channels by name.
std::uint16_t serve_lent_ends(const std::string& key);

/// The end lent under `token`, or null if there is none (or no longer).
std::shared_ptr<LentEnd> find_lent(std::string_view token);
/// The shared object lent under `token`, or null.
std::shared_ptr<ServedObject> find_lent_object(std::string_view token);

}  // namespace csp::detail
