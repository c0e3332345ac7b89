// csp::SharedMemory (Python's multiprocessing.shared_memory): a named POSIX shared memory block.
// The one escape hatch from share-nothing, for bulk data between OS processes; no owner guards it.
#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace csp {

/// A mapping of a named block. Move-only; the mapping ends with close() or the destructor, the
/// name with unlink() (the memory itself once every mapping has ended).
class SharedMemory {
 public:
  /// A new block of `size` bytes, zero-filled; csp::Error if `name` exists. Names have no
  /// leading slash (and no slash at all).
  static SharedMemory create(const std::string& name, std::size_t size);
  /// Maps the existing block `name`; csp::Error if there is none (also after unlink()).
  static SharedMemory attach(const std::string& name);

  SharedMemory(SharedMemory&& other) noexcept;
  SharedMemory& operator=(SharedMemory&& other) noexcept;
  ~SharedMemory();

  /// The block's bytes; empty once closed.
  std::span<std::byte> span() const noexcept { return {data_, size_}; }
  std::size_t size() const noexcept { return size_; }
  const std::string& name() const noexcept { return name_; }
  /// Ends this mapping (idempotent); other mappings of the block are unaffected.
  void close() noexcept;
  /// Removes the name: later attach() fails; csp::Error if it is already gone.
  void unlink();

 private:
  SharedMemory(std::string name, std::byte* data, std::size_t size) noexcept
      : name_(std::move(name)), data_(data), size_(size) {}

  std::string name_;
  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace csp
