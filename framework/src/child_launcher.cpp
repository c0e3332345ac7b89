// The parent's side of csp::multiprocess: re-executes this program with posix_spawn (safe in a
// multithreaded process, unlike fork), hands the child its entry and arguments, and reaps it.

#include "csp/detail/child_launcher.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include <fmt/format.h>

#include "child_link.hpp"
#include "csp/errors.hpp"
#include "csp/multiprocess.hpp"

extern char** environ;

namespace csp::detail {

namespace {

struct Registered {
  const char* type_name;
  ChildEntry entry;
};

std::vector<Registered>& registry() {
  static std::vector<Registered> entries;
  return entries;
}

/// This program's command line, so that a child sees the same argv as its parent.
const std::vector<std::string>& own_argv() {
  static const std::vector<std::string> argv = [] {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    std::string all{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::vector<std::string> args;
    for (std::size_t at = 0; at < all.size();) {
      std::size_t end = all.find('\0', at);
      if (end == std::string::npos) end = all.size();
      args.emplace_back(all, at, end - at);
      at = end + 1;
    }
    return args;
  }();
  return argv;
}

constexpr std::uint32_t max_frame = 1u << 30;

bool write_all(int fd, const char* data, std::size_t n) noexcept {
  while (n > 0) {
    ssize_t k = ::send(fd, data, n, MSG_NOSIGNAL);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    data += k;
    n -= static_cast<std::size_t>(k);
  }
  return true;
}

bool read_all(int fd, char* data, std::size_t n) {
  while (n > 0) {
    ssize_t k = ::read(fd, data, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    data += k;
    n -= static_cast<std::size_t>(k);
  }
  return true;
}

/// Closes a descriptor when the scope ends.
struct Fd {
  int fd = -1;
  Fd() = default;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string describe_end(int status) {
  if (WIFSIGNALED(status))
    return fmt::format("was killed by signal {} ({})", WTERMSIG(status),
                       ::strsignal(WTERMSIG(status)));
  return fmt::format("exited with code {}", WEXITSTATUS(status));
}

}  // namespace

bool write_frame(int fd, std::string_view bytes) noexcept {
  auto n = static_cast<std::uint32_t>(bytes.size());
  return bytes.size() <= max_frame && write_all(fd, reinterpret_cast<const char*>(&n), sizeof n) &&
         write_all(fd, bytes.data(), bytes.size());
}

std::optional<std::string> read_frame(int fd) {
  std::uint32_t n = 0;
  if (!read_all(fd, reinterpret_cast<char*>(&n), sizeof n) || n > max_frame) return std::nullopt;
  std::string bytes(n, '\0');
  if (!read_all(fd, bytes.data(), n)) return std::nullopt;
  return bytes;
}

std::size_t register_child_entry(const char* type_name, ChildEntry entry) {
  registry().push_back({type_name, entry});
  return registry().size() - 1;
}

ChildEntry find_child_entry(std::size_t index, std::string_view type_name) {
  auto& entries = registry();
  if (index >= entries.size() || type_name != entries[index].type_name) return nullptr;
  return entries[index].entry;
}

std::string ChildLauncher::run(std::size_t index, std::string_view type_name,
                               const std::string& args, const std::string& process_name) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
    throw Error(fmt::format("process '{}': socketpair failed: {}", process_name,
                            std::strerror(errno)));
  Fd ours, theirs;
  ours.fd = pair[0];
  theirs.fd = pair[1];

  std::vector<std::string> env_strings{
      fmt::format("{}={}:{}", child_env, theirs.fd, ::getpid())};
  std::vector<char*> env{env_strings[0].data()};
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, child_env, std::strlen(child_env)) != 0) env.push_back(*e);
  env.push_back(nullptr);
  std::vector<std::string> argv_strings = own_argv();
  std::vector<char*> argv;
  for (auto& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // Same descriptor on both sides: glibc clears its close-on-exec flag in the child only.
  posix_spawn_file_actions_adddup2(&actions, theirs.fd, theirs.fd);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);

  int spawn_error = 0;
  {
    std::lock_guard lock(mutex_);
    if (!terminate_) {
      pid_t pid = -1;
      spawn_error = ::posix_spawn(&pid, "/proc/self/exe", &actions, &attr, argv.data(), env.data());
      if (spawn_error == 0) pid_ = pid;
    }
    if (pid_ < 0) exitcode_ = spawn_error ? 1 : -SIGTERM;
    tried_ = true;
  }
  spawned_.notify_all();
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (pid_ < 0) {
    throw ChildProcessError(
        spawn_error ? fmt::format("process '{}' could not start: {}", process_name,
                                  std::strerror(spawn_error))
                    : fmt::format("process '{}' was terminated before it started", process_name),
        exitcode_);
  }
  ::close(std::exchange(theirs.fd, -1));

  // If the child dies before reading, these fail and its end says why.
  write_frame(ours.fd, type_name) &&
      write_frame(ours.fd, std::string_view(reinterpret_cast<const char*>(&index), sizeof index)) &&
      write_frame(ours.fd, args);
  std::optional<std::string> reply = read_frame(ours.fd);

  // Wait without reaping, so that terminate() never signals a reused pid.
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
  }
  int status = 0;
  {
    std::lock_guard lock(mutex_);
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    exitcode_ = WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
  }

  if (reply && !reply->empty() && exitcode_ == 0 && (*reply)[0] == reply_result)
    return reply->substr(1);
  std::string what;
  if (reply && !reply->empty() && (*reply)[0] == reply_error)
    what = fmt::format("process '{}' (pid {}) failed: {}", process_name, pid_,
                       std::string_view(*reply).substr(1));
  else if (!reply && WIFEXITED(status) && WEXITSTATUS(status) == 127)
    what = fmt::format("process '{}' (pid {}) exited with code 127 before running its body: "
                       "does main begin with csp::multiprocess_main()?",
                       process_name, pid_);
  else
    what = fmt::format("process '{}' (pid {}) {}", process_name, pid_, describe_end(status));
  std::lock_guard lock(mutex_);
  if (exitcode_ == 0) exitcode_ = 1;  // it said nothing: a failure all the same
  throw ChildProcessError(what, exitcode_);
}

std::optional<int> ChildLauncher::pid() const {
  std::unique_lock lock(mutex_);
  spawned_.wait(lock, [this] { return tried_; });
  if (pid_ < 0) return std::nullopt;
  return pid_;
}

void ChildLauncher::terminate() noexcept {
  std::lock_guard lock(mutex_);
  terminate_ = true;
  if (pid_ > 0 && !reaped_) ::kill(pid_, SIGTERM);
}

int ChildLauncher::exitcode() const noexcept {
  std::lock_guard lock(mutex_);
  return exitcode_;
}

}  // namespace csp::detail
