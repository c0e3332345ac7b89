// The child's side of csp::multiprocess: csp::multiprocess_main() recognizes a re-executed
// child, runs the entry its parent named with the arguments it sent, answers, and exits.

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include <fmt/format.h>

#include "child_link.hpp"
#include "csp/multiprocess.hpp"

namespace csp {

namespace {

/// Answers the parent and ends this process without running the parent's main or any static
/// destructor (the runtime may still have threads).
[[noreturn]] void answer(int fd, char kind, std::string_view bytes, int code) {
  std::string frame(1, kind);
  frame.append(bytes);
  detail::write_frame(fd, frame);
  std::fflush(nullptr);
  ::_exit(code);
}

}  // namespace

void multiprocess_main() {
  const char* marker = std::getenv(detail::child_env);
  if (!marker) return;
  int fd = -1;
  long parent = 0;
  if (std::sscanf(marker, "%d:%ld", &fd, &parent) != 2) {
    std::fprintf(stderr, "csp: malformed %s\n", detail::child_env);
    ::_exit(127);
  }
  ::unsetenv(detail::child_env);  // a grandchild started with system() is not a child of ours
  // A child whose parent dies must not linger: the kernel kills it, and if the parent is gone
  // already (it died before this line) it ends here.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(128 + SIGKILL);
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);

  auto type_name = detail::read_frame(fd);
  auto index = detail::read_frame(fd);
  auto args = detail::read_frame(fd);
  if (!type_name || !index || !args || index->size() != sizeof(std::size_t))
    answer(fd, detail::reply_error, "the parent sent no entry", 1);
  std::size_t at = 0;
  std::memcpy(&at, index->data(), sizeof at);
  detail::ChildEntry entry = detail::find_child_entry(at, *type_name);
  if (!entry)
    answer(fd, detail::reply_error,
           fmt::format("this program has no multiprocess entry {} ({})", at, *type_name), 1);
  try {
    std::string result = entry(*args);
    answer(fd, detail::reply_result, result, 0);
  } catch (const std::exception& e) {
    answer(fd, detail::reply_error, e.what(), 1);
  } catch (...) {
    answer(fd, detail::reply_error, "an exception that is not a std::exception", 1);
  }
}

namespace detail {

void refuse_unclaimed_child() {
  if (!std::getenv(child_env)) return;
  std::fprintf(stderr,
               "csp: this is a multiprocess child, but main used csp before calling "
               "csp::multiprocess_main(); exiting\n");
  std::fflush(nullptr);
  ::_exit(127);
}

}  // namespace detail

}  // namespace csp
