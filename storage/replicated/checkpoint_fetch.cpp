#include "storage/replicated/checkpoint_fetch.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <unistd.h>

#include "storage/rocksdb/store_swap.hpp"

namespace sluice::storage {

namespace fs = std::filesystem;

namespace {

store_error failure(std::string message) {
  return store_error{store_errc::io_error, std::move(message)};
}

/// A plain file name: not empty, no directory part, not "." or "..".
bool plain_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".."
         && name.find_first_of("/\\") == std::string::npos && name.find('\0') == std::string::npos;
}

/// Writes all of `data` to `fd`.
bool write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    auto n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

/// Fetches `file` of checkpoint `id` into `path`, synced.
expected<uint64_t> fetch_file(checkpoint_source& source, const std::string& id,
                              const checkpoint_file& file, const std::string& path,
                              size_t chunk_size, const std::atomic<bool>* cancel) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return failure("cannot create " + path + ": " + std::strerror(errno));
  struct closer {
    int fd;
    ~closer() { ::close(fd); }
  } close_at_end{fd};
  uint64_t offset = 0;
  while (offset < file.size) {
    if (cancel != nullptr && cancel->load())
      return store_error{store_errc::closed, "the catch-up was cancelled: the node is stopping"};
    auto chunk = source.read_chunk(id, file.name, offset, chunk_size);
    if (!chunk)
      return chunk.error();
    if (chunk->empty() || chunk->size() > chunk_size || offset + chunk->size() > file.size)
      return failure("file " + file.name + " of checkpoint " + id + ": got "
                     + std::to_string(chunk->size()) + " bytes at offset " + std::to_string(offset)
                     + " of a file of " + std::to_string(file.size)
                     + " bytes (the source's file changed or the transfer is broken)");
    if (!write_all(fd, *chunk))
      return failure("cannot write " + path + ": " + std::strerror(errno));
    offset += chunk->size();
  }
  if (::fsync(fd) != 0)
    return failure("cannot sync " + path + ": " + std::strerror(errno));
  return offset;
}

} // namespace

expected<checkpoint_manifest> fetch_checkpoint(checkpoint_source& source, uint64_t min_index,
                                               const std::string& into, size_t chunk_size,
                                               const std::atomic<bool>* cancel) {
  if (chunk_size == 0)
    chunk_size = 1;
  auto manifest = source.prepare(min_index);
  if (!manifest)
    return manifest;
  if (manifest->applied_index < min_index)
    return failure("the source's checkpoint " + manifest->id + " holds index "
                   + std::to_string(manifest->applied_index) + ", below the "
                   + std::to_string(min_index) + " needed");
  if (auto st = remove_dir(into); !st.ok())
    return st.as_error();
  std::error_code ec;
  fs::create_directories(into, ec);
  if (ec)
    return failure("cannot create " + into + ": " + ec.message());
  for (const auto& file : manifest->files) {
    if (!plain_name(file.name))
      return failure("the checkpoint " + manifest->id + " names a file '" + file.name
                     + "' that is not a plain file name");
    auto path = (fs::path(into) / file.name).string();
    auto got = fetch_file(source, manifest->id, file, path, chunk_size, cancel);
    if (!got)
      return got.error();
    auto on_disk = fs::file_size(path, ec);
    if (ec || on_disk != file.size)
      return failure(path + " holds " + std::to_string(on_disk) + " bytes, not the "
                     + std::to_string(file.size) + " of the manifest");
  }
  if (auto st = sync_path(into); !st.ok())
    return st.as_error();
  auto parent = fs::path(into).parent_path();
  if (auto st = sync_path(parent.empty() ? "." : parent.string()); !st.ok())
    return st.as_error();
  return manifest;
}

} // namespace sluice::storage
