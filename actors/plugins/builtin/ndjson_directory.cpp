#include "actors/plugins/builtin/ndjson_directory.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <stdexcept>

namespace sluice::builtin {

namespace {

using steady = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what, const std::string& path, int error) {
  throw std::runtime_error("file-sink: cannot " + what + " " + path + ": " + std::strerror(error));
}

/// The queue name as it may appear in a file name: [A-Za-z0-9_-] kept, the rest '_'.
std::string file_safe(std::string_view queue) {
  std::string out(queue);
  for (char& c : out)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
          || c == '-'))
      c = '_';
  return out;
}

/// The current UTC time as yyyymmddThhmmssZ.
std::string utc_stamp() {
  std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &parts);
  return text;
}

std::string six_digits(unsigned n) {
  std::string digits = std::to_string(n);
  return std::string(digits.size() < 6 ? 6 - digits.size() : 0, '0') + digits;
}

/// Writes all of `bytes` (write(2) may write less than asked).
bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

} // namespace

/// The file a queue's lines currently go to, plus what naming the next one needs.
struct ndjson_directory::current_file {
  int fd = -1;
  std::string path;
  std::uint64_t size = 0; ///< bytes on disk (synced)
  steady::time_point created;
  std::string last_stamp; ///< of the newest file started, kept after it is closed
  unsigned last_seq = 0;

  bool is_open() const { return fd >= 0; }
  void close() {
    if (fd >= 0)
      ::close(fd);
    fd = -1;
  }
  /// False when the path no longer names our file (moved away, deleted, replaced).
  bool still_in_place() const {
    struct stat ours {};
    struct stat named {};
    return ::fstat(fd, &ours) == 0 && ::stat(path.c_str(), &named) == 0
           && ours.st_dev == named.st_dev && ours.st_ino == named.st_ino;
  }
  bool full_for(std::size_t line_bytes, std::uint64_t pending, const rotation_limits& limits,
                steady::time_point now) const {
    const std::uint64_t used = size + pending;
    // A line longer than max_bytes still goes somewhere: alone in a fresh file.
    return (used > 0 && used + line_bytes > limits.max_bytes) || now - created >= limits.max_age;
  }
  /// Appends `pending` and syncs it; on failure cuts the file back to its synced size
  /// (so no half line stays behind), closes it, and throws.
  void flush(std::string& pending) {
    if (pending.empty())
      return;
    if (!write_all(fd, pending) || ::fdatasync(fd) != 0) {
      const int error = errno;
      if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
        // Best effort: the next reader may see a partial last line in this file.
      }
      close();
      fail("write", path, error);
    }
    size += pending.size();
    pending.clear();
  }
};

ndjson_directory::ndjson_directory(std::string path) : path_(std::move(path)) {}

ndjson_directory::~ndjson_directory() {
  for (auto& [queue, file] : files_)
    file->close();
}

std::shared_ptr<ndjson_directory> ndjson_directory::open(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw std::runtime_error("file-sink: cannot create directory " + dir + ": " + ec.message());
  const std::string key = fs::canonical(dir, ec).string();
  if (ec)
    throw std::runtime_error("file-sink: cannot resolve directory " + dir + ": " + ec.message());

  // Leaked on purpose: an abandoned (timed-out) invocation may still be writing while
  // the process exits, so the registry must outlive static destruction.
  static auto* registry_mutex = new std::mutex;
  static auto* registry = new std::map<std::string, std::shared_ptr<ndjson_directory>>;
  std::lock_guard<std::mutex> lock(*registry_mutex);
  auto& slot = (*registry)[key];
  if (!slot)
    slot = std::make_shared<ndjson_directory>(key);
  return slot;
}

void ndjson_directory::sync_directory() const {
  int fd = ::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    fail("open directory", path_, errno);
  const bool synced = ::fsync(fd) == 0;
  const int error = errno;
  ::close(fd);
  if (!synced)
    fail("fsync directory", path_, error);
}

void ndjson_directory::start_file(current_file& file, std::string_view queue) {
  const std::string stamp = utc_stamp();
  unsigned seq = stamp == file.last_stamp ? file.last_seq + 1 : 0;
  for (;; ++seq) {
    if (seq > 999999)
      throw std::runtime_error("file-sink: too many files for queue " + std::string(queue) + " in "
                               + path_ + " within one second (raise MAX_BYTES)");
    std::string path =
        path_ + "/sluice-" + file_safe(queue) + "-" + stamp + "-" + six_digits(seq) + ".ndjson";
    // O_EXCL: an existing file (another process, a restart within the same second) is
    // never overwritten or appended to; the next sequence number is tried instead.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST)
      continue;
    if (fd < 0)
      fail("create", path, errno);
    file.fd = fd;
    file.path = std::move(path);
    file.size = 0;
    file.created = steady::now();
    file.last_stamp = stamp;
    file.last_seq = seq;
    break;
  }
  try {
    sync_directory(); // the new name must survive a crash as well as its contents
  } catch (...) {
    file.close();
    throw;
  }
}

void ndjson_directory::append(std::string_view queue, const std::vector<std::string>& lines,
                              const rotation_limits& limits) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = files_.find(queue);
  if (it == files_.end())
    it = files_.emplace(std::string(queue), std::make_unique<current_file>()).first;
  current_file& file = *it->second;
  if (file.is_open() && !file.still_in_place())
    file.close();

  std::string pending; // bytes for the current file, written in one go per file
  for (const auto& line : lines) {
    if (file.is_open() && file.full_for(line.size(), pending.size(), limits, steady::now())) {
      file.flush(pending);
      file.close();
    }
    if (!file.is_open())
      start_file(file, queue);
    pending += line;
  }
  if (file.is_open())
    file.flush(pending);
}

} // namespace sluice::builtin
