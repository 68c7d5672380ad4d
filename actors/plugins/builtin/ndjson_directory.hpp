#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::builtin {

/// When a file-sink file is closed and a new one started.
struct rotation_limits {
  std::uint64_t max_bytes = 64ull << 20; ///< a line that would make the file larger
  std::chrono::seconds max_age{3600};    ///< since the file was created
};

/// One directory the file-sink appends NDJSON lines to, shared by every invocation in
/// the process: several pool threads may write to the same directory at once, so each
/// directory has one instance (see `open`) whose mutex is held for a whole batch. That
/// keeps a batch's lines together and never interleaves two batches' bytes.
///
/// Each queue has its current file `sluice-<queue>-<yyyymmddThhmmssZ>-<seq>.ndjson`
/// (UTC creation time, then a 6-digit sequence within the second, so names sort by
/// creation time), created with O_EXCL so an existing file is never overwritten or
/// appended to. A new file is started when the next line would take the file past
/// `max_bytes` (a longer line gets a file of its own), when the file is older than
/// `max_age` (checked when writing: there is no timer), when the current file was moved
/// away or deleted (e.g. by a log shipper), and after a write error.
class ndjson_directory {
public:
  /// The process-wide instance for `dir` (created, with the directory, on first use;
  /// equal paths after resolving symlinks share one instance). Throws std::runtime_error
  /// when the directory cannot be created.
  static std::shared_ptr<ndjson_directory> open(const std::string& dir);

  /// Appends `lines` (each one complete, ending in '\n') to `queue`'s current file,
  /// rotating as needed, and returns once every byte is on disk: each file written is
  /// fdatasync'ed, and the directory fsync'ed after creating a file. Throws
  /// std::runtime_error on any error; the file's unsynced tail is then cut off (best
  /// effort) and the next call starts a new file.
  void append(std::string_view queue, const std::vector<std::string>& lines,
              const rotation_limits& limits);

  explicit ndjson_directory(std::string path);
  ~ndjson_directory();
  ndjson_directory(const ndjson_directory&) = delete;
  ndjson_directory& operator=(const ndjson_directory&) = delete;

private:
  struct current_file;

  void start_file(current_file& file, std::string_view queue);
  void sync_directory() const;

  std::mutex mutex_; // held for a whole `append`
  const std::string path_;
  std::map<std::string, std::unique_ptr<current_file>, std::less<>> files_; // by queue
};

} // namespace sluice::builtin
