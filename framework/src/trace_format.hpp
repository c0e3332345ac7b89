// The trace file written by the recorder (trace.cpp) and read by csp-trace: a header, then
// fixed-size records in per-thread batches, each optionally followed by a text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace csp::detail::trace {

inline constexpr std::string_view magic = "CSPTRACE";
inline constexpr std::uint32_t version = 1;
inline constexpr std::uint32_t byte_order = 0x01020304;  // read back wrong on another endianness

struct FileHeader {
  char magic[8];
  std::uint32_t version;
  std::uint32_t byte_order;
  std::uint64_t unix_ns;  // wall clock at the start, for humans; records count from it
};

enum class Kind : std::uint8_t {
  process_start,  // who: its context, what: the process; text: its name
  process_end,    // what: the process; arg: how it ended (End)
  holds_reader,   // a process's argument is a read end; what: the channel; text: channel name
  holds_writer,
  join_reader,    // what: the channel; text: its name (the same for the rest up to destroy)
  join_writer,
  retire_reader,
  retire_writer,
  poison,
  read,           // what: the channel; no text (names come with the rarer records)
  write,
  destroy,
  alt_input,      // an alternation chose an input guard; what: the channel, arg: guard index
  alt_output,
  alt_timeout,    // what: null
  alt_skip,
  blocked,        // at a deadlock or at the end: what: the process; text: what it waits on
  stop,           // the runtime stopped; the trace is complete up to here
};
inline constexpr int kind_count = static_cast<int>(Kind::stop) + 1;

/// How a process ended (process_end's arg).
enum class End : std::uint32_t { returned, poisoned, retired, failed, terminated };

struct Record {
  std::uint64_t time_ns;  // since FileHeader::unix_ns (steady clock)
  std::uint64_t who;      // the context that did it: a process's fiber or thread, or a thread
  std::uint64_t what;     // the channel or process it concerns
  std::uint32_t arg;      // text length, guard index or End
  Kind kind;
  std::uint8_t reserved[3];
};
static_assert(sizeof(Record) == 32);

constexpr bool has_text(Kind k) noexcept {
  return k == Kind::process_start || (k >= Kind::holds_reader && k <= Kind::poison) ||
         k == Kind::destroy || k == Kind::blocked;
}

/// A text is padded with zeros to a multiple of 8 bytes, so records stay aligned.
constexpr std::size_t padded(std::size_t n) noexcept { return (n + 7) & ~std::size_t{7}; }

}  // namespace csp::detail::trace
