#pragma once

#include <cstdint>
#include <string>

namespace sluice::storage {

/// Space set aside in the data directory for the day the disk fills up anyway
/// (another process, a log): a file of `bytes` really allocated on disk. When
/// the disk is full, deleting it gives RocksDB room to open, to apply acks and
/// purges and to flush; it is made again once there is room (docs/operations.md,
/// "A full disk"). Not thread-safe: one owner.
class reserve_file {
public:
  reserve_file(std::string path, uint64_t bytes) : path_(std::move(path)), bytes_(bytes) {}

  uint64_t bytes() const { return bytes_; }
  const std::string& path() const { return path_; }
  bool present() const;

  /// Deletes the file; true if there was one.
  bool release();

  /// Creates the file with all of its blocks allocated and synced; false (and
  /// no file) when the disk has no room for it.
  bool restore();

private:
  std::string path_;
  uint64_t bytes_;
};

} // namespace sluice::storage
