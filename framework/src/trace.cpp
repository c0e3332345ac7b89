// The trace recorder. Each thread appends records to its own buffer, and a full buffer goes to
// the file in one write: no lock is taken per event. Records count nanoseconds on the steady
// clock from the trace's start.

#include "trace.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "csp/alternation.hpp"
#include "csp/detail/observer.hpp"
#include "csp/detail/process_base.hpp"
#include "child_link.hpp"
#include "csp/errors.hpp"

namespace csp::detail::trace {

namespace {

constexpr std::size_t buffer_bytes = 64 * 1024;
constexpr std::size_t max_text = 1024;  // longer names are cut; a record must fit a buffer

// Only its thread appends, publishing each record with a release store of `used`; whoever
// writes records out (the owner when full, anyone at a flush) does so under Recorder::mutex and
// advances `flushed`. So a record costs no atomic read-modify-write.
struct Buffer {
  std::atomic<std::size_t> used{0};
  std::size_t flushed = 0;  // under Recorder::mutex
  alignas(8) std::byte data[buffer_bytes];
};

struct Recorder {
  std::mutex mutex;  // guards everything below and every buffer's `flushed`
  int fd = -1;
  std::string path;
  std::vector<std::unique_ptr<Buffer>> buffers;  // every buffer made; they live forever
  std::vector<Buffer*> spare;                     // left by threads that have ended
  std::atomic<std::int64_t> epoch{0};             // steady clock at the start, in ns
};

Recorder& recorder() {
  static Recorder* r = new Recorder;  // never destroyed: threads record until the very end
  return *r;
}

std::int64_t steady_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Writes what `b` holds past `flushed`; with r.mutex held. A failed write loses the batch, not
// the program.
void write_out(Recorder& r, Buffer& b) noexcept {
  std::size_t end = b.used.load(std::memory_order_acquire);
  for (std::size_t done = b.flushed; r.fd >= 0 && done < end;) {
    ssize_t n = ::write(r.fd, b.data + done, end - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  b.flushed = end;
}

// The owner empties its full buffer; nobody else moves `used`.
void empty(Recorder& r, Buffer& b) noexcept {
  std::lock_guard lock(r.mutex);
  write_out(r, b);
  b.flushed = 0;
  b.used.store(0, std::memory_order_relaxed);
}

thread_local Buffer* mine = nullptr;  // trivial, so reading it costs no initialization check

// Hands the thread's buffer on once the thread ends.
struct GiveBack {
  ~GiveBack() {
    if (!mine) return;
    Recorder& r = recorder();
    empty(r, *mine);
    std::lock_guard lock(r.mutex);
    r.spare.push_back(std::exchange(mine, nullptr));
  }
};

Buffer* take_buffer() noexcept {
  thread_local GiveBack give_back;
  (void)give_back;
  Recorder& r = recorder();
  std::lock_guard lock(r.mutex);
  if (!r.spare.empty()) {
    mine = r.spare.back();
    r.spare.pop_back();
  } else {
    try {
      r.buffers.push_back(std::make_unique<Buffer>());
      mine = r.buffers.back().get();
    } catch (const std::bad_alloc&) {  // this event is lost, the program goes on
    }
  }
  return mine;
}

constexpr Kind channel_kinds[] = {Kind::join_reader,   Kind::join_writer, Kind::retire_reader,
                                  Kind::retire_writer, Kind::poison,      Kind::read,
                                  Kind::write,         Kind::destroy};
static_assert(std::size(channel_kinds) == static_cast<std::size_t>(ChannelEvent::destroy) + 1);

void observe_channel(ChannelEvent event, const ChannelBase& channel) noexcept {
  Kind kind = channel_kinds[static_cast<std::size_t>(event)];
  record(kind, &channel, 0, has_text(kind) ? std::string_view(channel.name()) : std::string_view());
}

void write_header(int fd, const std::string& file) {
  FileHeader h{};
  std::memcpy(h.magic, magic.data(), sizeof h.magic);
  h.version = version;
  h.byte_order = byte_order;
  h.unix_ns = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
  if (::write(fd, &h, sizeof h) != static_cast<ssize_t>(sizeof h)) {
    int err = errno;
    ::close(fd);
    throw Error(fmt::format("cannot write the trace file '{}': {}", file, std::strerror(err)));
  }
}

// CSP_TRACE starts recording as the program starts, so that channels joined before the
// runtime's first use are named in the trace too. A file that cannot be opened is reported
// (as csp::Error) by the runtime's start instead.
const bool started_from_environment = [] {
  try {
    configure(file_for({}));
  } catch (const Error&) {
  }
  return true;
}();

}  // namespace

std::string file_for(const std::string& configured) {
  // A multiprocess child runs the same program with the same environment: it must not
  // truncate its parent's trace.
  if (std::getenv(child_env)) return "";
  if (!configured.empty()) return configured;
  const char* env = std::getenv("CSP_TRACE");
  return env ? env : "";
}

void configure(const std::string& file) {
  Recorder& r = recorder();
  {
    std::lock_guard lock(r.mutex);
    if (file == r.path) return;
  }
  int fd = -1;
  if (!file.empty()) {
    fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
      throw Error(fmt::format("cannot write the trace file '{}': {}", file, std::strerror(errno)));
    write_header(fd, file);
  }
  channel_observer.store(nullptr);
  recording.store(false);
  flush();  // what the previous file recorded goes there
  std::lock_guard lock(r.mutex);
  if (r.fd >= 0) ::close(r.fd);
  r.fd = fd;
  r.path = file;
  if (fd < 0) return;
  r.epoch.store(steady_ns());
  recording.store(true);
  channel_observer.store(&observe_channel);
}

void flush() noexcept {
  Recorder& r = recorder();
  std::lock_guard lock(r.mutex);
  for (auto& b : r.buffers) write_out(r, *b);
}

void record(Kind kind, const void* what, std::uint32_t arg, std::string_view text) noexcept {
  Recorder& r = recorder();
  Record rec{static_cast<std::uint64_t>(steady_ns() - r.epoch.load(std::memory_order_relaxed)),
             reinterpret_cast<std::uintptr_t>(&current_context()),
             reinterpret_cast<std::uintptr_t>(what), arg, kind, {}};
  Buffer* b = mine ? mine : take_buffer();
  if (!b) return;
  if (has_text(kind)) {
    text = text.substr(0, max_text);
    rec.arg = static_cast<std::uint32_t>(text.size());
  }
  std::size_t need = sizeof rec + padded(text.size());
  std::size_t used = b->used.load(std::memory_order_relaxed);
  if (used + need > buffer_bytes) {
    empty(r, *b);
    used = 0;
  }
  std::byte* at = b->data + used;
  std::memcpy(at, &rec, sizeof rec);
  if (!text.empty()) {
    std::memcpy(at + sizeof rec, text.data(), text.size());
    std::memset(at + sizeof rec + text.size(), 0, padded(text.size()) - text.size());
  }
  b->used.store(used + need, std::memory_order_release);
}

void process_started(ProcessBase& p) noexcept {
  record(Kind::process_start, &p, 0, p.name());
  try {
    p.visit_ends([](const ChannelBase& c, Side side) {
      record(side == Side::reader ? Kind::holds_reader : Kind::holds_writer, &c, 0, c.name());
    });
  } catch (...) {  // a failed allocation in the visitor costs only these records
  }
}

void process_ended(const ProcessBase& p, End how) noexcept {
  record(Kind::process_end, &p, static_cast<std::uint32_t>(how));
}

void alternation_chose(const GuardBase& guard, std::size_t index) noexcept {
  constexpr Kind kinds[] = {Kind::alt_input, Kind::alt_output, Kind::alt_timeout, Kind::alt_skip};
  record(kinds[static_cast<std::size_t>(guard.kind())], guard.channel(),
         static_cast<std::uint32_t>(index));
}

}  // namespace csp::detail::trace
