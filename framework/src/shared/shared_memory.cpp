// SharedMemory: shm_open + ftruncate + mmap; the descriptor is closed right after mapping, as
// the mapping keeps the block alive.

#include "csp/shared/shared_memory.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "csp/errors.hpp"

namespace csp {

namespace {

[[noreturn]] void fail(const std::string& name, const char* what, int err) {
  throw Error("SharedMemory '" + name + "': " + what + ": " + std::strerror(err));
}

std::string posix_name(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos)
    throw Error("SharedMemory name '" + name + "' must be non-empty and without '/'");
  return "/" + name;
}

/// Maps the open descriptor `fd` (closing it) for `size` bytes.
std::byte* map(const std::string& name, int fd, std::size_t size) {
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int err = errno;
  ::close(fd);
  if (p == MAP_FAILED) fail(name, "mmap", err);
  return static_cast<std::byte*>(p);
}

}  // namespace

SharedMemory SharedMemory::create(const std::string& name, std::size_t size) {
  if (size == 0) throw Error("SharedMemory '" + name + "': size must be positive");
  std::string path = posix_name(name);
  int fd = ::shm_open(path.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd < 0) fail(name, "create", errno);
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    int err = errno;
    ::close(fd);
    ::shm_unlink(path.c_str());
    fail(name, "resize", err);
  }
  return SharedMemory(name, map(name, fd, size), size);
}

SharedMemory SharedMemory::attach(const std::string& name) {
  int fd = ::shm_open(posix_name(name).c_str(), O_RDWR, 0);
  if (fd < 0) fail(name, "attach", errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    fail(name, "attach", err);
  }
  auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    throw Error("SharedMemory '" + name + "': attach: the block is empty");
  }
  return SharedMemory(name, map(name, fd, size), size);
}

SharedMemory::SharedMemory(SharedMemory&& other) noexcept
    : name_(std::move(other.name_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

SharedMemory& SharedMemory::operator=(SharedMemory&& other) noexcept {
  if (this != &other) {
    close();
    name_ = std::move(other.name_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SharedMemory::~SharedMemory() { close(); }

void SharedMemory::close() noexcept {
  if (data_) ::munmap(data_, size_);
  data_ = nullptr;
  size_ = 0;
}

void SharedMemory::unlink() {
  if (::shm_unlink(posix_name(name_).c_str()) != 0) fail(name_, "unlink", errno);
}

}  // namespace csp
