#include "storage/replicated/local_checkpoint_source.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "storage/rocksdb/store_swap.hpp"

namespace sluice::storage {

namespace fs = std::filesystem;

namespace {

/// Whether `name` is one this class gives its checkpoints: digits '-' digits.
bool is_checkpoint_name(const std::string& name) {
  auto dash = name.find('-');
  auto digits = [](const std::string& s) {
    return !s.empty()
           && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  return dash != std::string::npos && digits(name.substr(0, dash)) && digits(name.substr(dash + 1));
}

store_error failure(std::string message) {
  return store_error{store_errc::io_error, std::move(message)};
}

} // namespace

local_checkpoint_source::local_checkpoint_source(rocksdb_backend& store, std::string root,
                                                 checkpoint_retention retention)
  : store_(store), root_(std::move(root)), retention_(std::move(retention)) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root_, ec))
    if (is_checkpoint_name(entry.path().filename().string()))
      (void)remove_dir(entry.path().string());
}

local_checkpoint_source::~local_checkpoint_source() {
  std::lock_guard lock{mtx_};
  while (!kept_.empty())
    drop_front();
}

std::string local_checkpoint_source::default_root(const std::string& store_dir) {
  // incoming_dir_of normalises the name (trailing slashes).
  auto incoming = incoming_dir_of(store_dir);
  return incoming.substr(0, incoming.size() - std::string{".incoming"}.size()) + ".checkpoints";
}

expected<checkpoint_manifest> local_checkpoint_source::prepare(uint64_t min_index) {
  std::lock_guard lock{mtx_};
  auto now = retention_.now();
  drop_old(now);
  if (!kept_.empty() && kept_.back().manifest.applied_index >= min_index
      && now - kept_.back().made < retention_.reuse_for)
    return kept_.back().manifest;
  auto applied = store_.applied_index();
  if (!applied)
    return applied.error();
  if (*applied < min_index)
    return failure("this node has applied log entries up to index " + std::to_string(*applied)
                   + " only, below the " + std::to_string(min_index)
                   + " asked for: catch up from the leader");
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec)
    return failure("cannot create the checkpoint directory " + root_ + ": " + ec.message());
  checkpoint_manifest m;
  m.id = std::to_string(*applied) + "-" + std::to_string(++made_);
  auto dir = (fs::path(root_) / m.id).string();
  auto index = store_.create_checkpoint(dir);
  if (!index) {
    (void)remove_dir(dir);
    return index.error();
  }
  m.applied_index = *index;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file(ec))
      continue;
    m.files.push_back({entry.path().filename().string(), entry.file_size(ec)});
    if (ec)
      break;
  }
  if (ec) {
    (void)remove_dir(dir);
    return failure("cannot list the checkpoint " + dir + ": " + ec.message());
  }
  std::sort(m.files.begin(), m.files.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  kept_.push_back({m, now});
  while (kept_.size() > std::max<size_t>(retention_.keep, 1))
    drop_front();
  return m;
}

expected<std::string> local_checkpoint_source::read_chunk(const std::string& checkpoint,
                                                          const std::string& file, uint64_t offset,
                                                          size_t max) {
  // Under the lock, so the checkpoint cannot be deleted mid-read.
  std::lock_guard lock{mtx_};
  auto k = std::find_if(kept_.begin(), kept_.end(),
                        [&](const kept& c) { return c.manifest.id == checkpoint; });
  if (k == kept_.end())
    return failure("checkpoint " + checkpoint
                   + " is gone (superseded or expired): prepare a new one");
  const auto& files = k->manifest.files;
  auto f = std::find_if(files.begin(), files.end(), [&](const auto& x) { return x.name == file; });
  if (f == files.end())
    return failure("checkpoint " + checkpoint + " has no file named '" + file + "'");
  if (offset >= f->size)
    return std::string{};
  auto want = static_cast<size_t>(std::min<uint64_t>({f->size - offset, max, max_chunk}));
  auto path = fs::path(root_) / checkpoint / file;
  std::ifstream in(path, std::ios::binary);
  std::string out(want, '\0');
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(out.data(), static_cast<std::streamsize>(want));
  if (!in || static_cast<size_t>(in.gcount()) != want)
    return failure("cannot read " + std::to_string(want) + " bytes at " + std::to_string(offset)
                   + " of " + path.string());
  return out;
}

std::vector<std::string> local_checkpoint_source::checkpoints() const {
  std::lock_guard lock{mtx_};
  std::vector<std::string> out;
  for (const auto& k : kept_)
    out.push_back(k.manifest.id);
  return out;
}

void local_checkpoint_source::drop_old(std::chrono::steady_clock::time_point now) {
  while (!kept_.empty() && now - kept_.front().made >= retention_.max_age)
    drop_front();
}

void local_checkpoint_source::drop_front() {
  (void)remove_dir((fs::path(root_) / kept_.front().manifest.id).string());
  kept_.pop_front();
}

} // namespace sluice::storage
