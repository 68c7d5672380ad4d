#include "storage/rocksdb/store_swap.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <unistd.h>

namespace sluice::storage {

namespace fs = std::filesystem;

namespace {

/// `store_dir` without trailing slashes.
fs::path normal(const std::string& store_dir) {
  fs::path p = fs::path(store_dir).lexically_normal();
  if (!p.has_filename() && p.has_parent_path())
    p = p.parent_path();
  return p;
}

std::string parent_of(const fs::path& p) {
  auto parent = p.parent_path();
  return parent.empty() ? std::string{"."} : parent.string();
}

bool present(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

status rename_synced(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec)
    return status::error("cannot rename " + from.string() + " to " + to.string() + ": "
                         + ec.message());
  return sync_path(parent_of(to));
}

} // namespace

std::string incoming_dir_of(const std::string& store_dir) {
  return normal(store_dir).string() + ".incoming";
}

std::string old_dir_of(const std::string& store_dir) {
  return normal(store_dir).string() + ".old";
}

status sync_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return status::error("cannot open " + path + " to sync it: " + std::strerror(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0)
    return status::error("cannot sync " + path + ": " + std::strerror(err));
  return {};
}

status remove_dir(const std::string& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec)
    return status::error("cannot delete " + dir + ": " + ec.message());
  return {};
}

status finish_store_swap(const std::string& store_dir) {
  auto store = normal(store_dir);
  fs::path old = old_dir_of(store_dir);
  fs::path incoming = incoming_dir_of(store_dir);
  if (present(old) && !present(store)) {
    // Cut between the two renames: the old store is the complete one.
    if (auto st = rename_synced(old, store); !st.ok())
      return st;
  }
  if (present(old))
    if (auto st = remove_old_store(store_dir); !st.ok())
      return st;
  if (present(incoming)) {
    if (auto st = remove_dir(incoming.string()); !st.ok())
      return st;
    return sync_path(parent_of(store));
  }
  return {};
}

status swap_store_dirs(const std::string& store_dir) {
  auto store = normal(store_dir);
  fs::path old = old_dir_of(store_dir);
  fs::path incoming = incoming_dir_of(store_dir);
  if (present(old))
    return status::error("cannot replace " + store.string() + ": " + old.string()
                         + " still exists");
  if (auto st = rename_synced(store, old); !st.ok())
    return st;
  if (auto st = rename_synced(incoming, store); !st.ok()) {
    auto back = rename_synced(old, store);
    return status::error(st.message()
                         + (back.ok()
                                ? "; the old store is back in place"
                                : "; and putting the old store back failed: " + back.message()));
  }
  return {};
}

status remove_old_store(const std::string& store_dir) {
  auto old = old_dir_of(store_dir);
  if (!present(old))
    return {};
  if (auto st = remove_dir(old); !st.ok())
    return st;
  return sync_path(parent_of(normal(store_dir)));
}

} // namespace sluice::storage
