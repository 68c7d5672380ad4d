#include "storage/rocksdb/db.hpp"

#include <mutex>
#include <shared_mutex>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include "storage/rocksdb/insert_hint.hpp"

namespace sluice::storage {

struct db::impl {
  std::string dir;
  std::unique_ptr<rocksdb::DB> rdb; // null only while `reopen_after` swaps the directory
  std::vector<rocksdb::ColumnFamilyHandle*> handles; // indexed by `family`
  // Shared by every operation, exclusive while `reopen_after` closes and
  // reopens the instance, so no call ever sees a closed one.
  std::shared_mutex mtx;

  rocksdb::ColumnFamilyHandle* cf(family f) const { return handles[static_cast<size_t>(f)]; }

  /// Opens (creating if missing) the instance under `where`; sets `st`.
  void open(const std::string& where, status& st);

  void close() {
    for (auto* h : handles)
      if (h != nullptr)
        rdb->DestroyColumnFamilyHandle(h);
    handles.clear();
    rdb.reset();
  }

  ~impl() {
    if (rdb)
      close();
  }
};

namespace {

/// The status of a call on an instance a failed reopen left closed.
status closed_status(const std::string& dir) {
  return status::error("the data directory " + dir
                       + " is closed: reopening it after replacing it failed");
}

} // namespace

db::db(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

db::~db() = default;

std::unique_ptr<db> db::open(const std::string& dir, status& st) {
  auto p = std::make_unique<impl>();
  p->open(dir, st);
  if (!st.ok())
    return nullptr;
  return std::unique_ptr<db>(new db(std::move(p)));
}

status db::sync_wal() {
  std::shared_lock lock{impl_->mtx};
  if (!impl_->rdb)
    return closed_status(impl_->dir);
  auto s = impl_->rdb->SyncWAL();
  if (!s.ok())
    return status::error("cannot sync the write-ahead log of " + impl_->dir + ": " + s.ToString());
  return status{};
}

status db::checkpoint_to(const std::string& dir) {
  std::shared_lock lock{impl_->mtx};
  if (!impl_->rdb)
    return closed_status(impl_->dir);
  rocksdb::Checkpoint* raw = nullptr;
  auto s = rocksdb::Checkpoint::Create(impl_->rdb.get(), &raw);
  std::unique_ptr<rocksdb::Checkpoint> cp(raw);
  // log_size_for_flush 0: flush the memtables first, so the checkpoint is
  // table files (hard links) plus a short write-ahead log.
  if (s.ok())
    s = cp->CreateCheckpoint(dir, 0);
  if (!s.ok())
    return status::error("cannot create a checkpoint of " + impl_->dir + " in " + dir + ": "
                         + s.ToString());
  return {};
}

status db::reopen_after(const std::function<status()>& while_closed) {
  std::unique_lock lock{impl_->mtx};
  if (impl_->rdb)
    impl_->close();
  auto done = while_closed();
  status st;
  std::string dir = impl_->dir;
  impl_->open(dir, st);
  if (!st.ok())
    return st;
  return done;
}

void db::impl::open(const std::string& where, status& st) {
  dir = where;
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.IncreaseParallelism(2);
  // Replay the write-ahead log into memory at open instead of flushing it to a
  // new table file first: a restart on a nearly full disk must not need room
  // for a copy of the unflushed data (docs/operations.md, "A full disk").
  options.avoid_flush_during_recovery = true;
  // Every commit also writes the applied index to the small `meta` family,
  // whose memtable hardly ever fills: without a bound, each write-ahead log
  // file stayed until RocksDB's own limit (four times all memtables, 2.5 GB
  // here), costing that much disk and replaying it all at every start (7.7 s
  // before listening with a 10M-message backlog). Past this total the
  // families holding the oldest log are flushed and the log deleted.
  options.max_total_wal_size = 256ull << 20;
  rocksdb::ColumnFamilyOptions by_shard; // storage/rocksdb/insert_hint.hpp
  by_shard.memtable_insert_with_hint_prefix_extractor = shard_insert_hint();
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs{
      {rocksdb::kDefaultColumnFamilyName, {}},
      {"meta", {}},
      {"messages", by_shard},
      {"state", by_shard},
      {"dedup", {}},
  };
  std::vector<rocksdb::ColumnFamilyHandle*> opened;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(rocksdb::DBOptions(options), dir, cfs, &opened, &raw);
  if (!s.ok()) {
    st = status::error("cannot open data directory " + dir + ": " + s.ToString());
    return;
  }
  rdb.reset(raw);
  // Drop the default family's handle: RocksDB owns it; we only use ours.
  raw->DestroyColumnFamilyHandle(opened[0]);
  handles.assign(opened.begin() + 1, opened.end());
  st = status{};
}

status db::reclaim_space() {
  std::shared_lock lock{impl_->mtx};
  if (!impl_->rdb)
    return closed_status(impl_->dir);
  impl_->rdb->Resume(); // a no-op unless a background error stopped writes
  rocksdb::FlushOptions fo;
  fo.wait = true;
  auto s = impl_->rdb->Flush(fo, impl_->handles);
  if (!s.ok())
    return status::error("cannot flush to reclaim space: " + s.ToString());
  return status{};
}

status db::write(const batch& b, bool sync) {
  rocksdb::WriteBatch wb;
  std::shared_lock handles_lock{impl_->mtx};
  if (!impl_->rdb)
    return closed_status(impl_->dir);
  for (const auto& o : b.ops()) {
    auto* h = impl_->cf(o.cf);
    rocksdb::Status s;
    switch (o.kind) {
      case batch::op_kind::put:
        s = wb.Put(h, o.key, o.value);
        break;
      case batch::op_kind::erase:
        s = wb.Delete(h, o.key);
        break;
      case batch::op_kind::erase_range:
        if (o.cf == family::messages || o.cf == family::state)
          s = wb.DeleteRange(h, range_begin_outside_hint(o.key), o.value);
        else
          s = wb.DeleteRange(h, o.key, o.value);
        break;
    }
    if (!s.ok())
      return status::error("cannot build write batch: " + s.ToString());
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  auto s = impl_->rdb->Write(wo, &wb);
  if (s.IsNoSpace())
    return status::error("the disk is full: " + s.ToString(), store_errc::no_space);
  if (!s.ok())
    return status::error("write failed: " + s.ToString());
  return {};
}

std::optional<std::string> db::get(family cf, std::string_view key, status& st) {
  std::string value;
  std::shared_lock lock{impl_->mtx};
  if (!impl_->rdb) {
    st = closed_status(impl_->dir);
    return std::nullopt;
  }
  auto s = impl_->rdb->Get(rocksdb::ReadOptions(), impl_->cf(cf),
                           rocksdb::Slice(key.data(), key.size()), &value);
  st = status{};
  if (s.IsNotFound())
    return std::nullopt;
  if (!s.ok()) {
    st = status::error("read failed: " + s.ToString());
    return std::nullopt;
  }
  return value;
}

status db::scan_range(family cf, std::string_view begin, std::string_view end,
                      const std::function<bool(std::string_view, std::string_view)>& fn,
                      range_deletions ranges) {
  std::shared_lock lock{impl_->mtx};
  if (!impl_->rdb)
    return closed_status(impl_->dir);
  rocksdb::Slice upper(end.data(), end.size());
  rocksdb::ReadOptions ro;
  // The bound lets the iterator stop at `end` instead of stepping over the
  // deleted keys behind it (acknowledged messages leave many).
  if (!end.empty())
    ro.iterate_upper_bound = &upper;
  ro.ignore_range_deletions = ranges == range_deletions::skip;
  std::unique_ptr<rocksdb::Iterator> it(impl_->rdb->NewIterator(ro, impl_->cf(cf)));
  for (it->Seek(rocksdb::Slice(begin.data(), begin.size()));
       it->Valid() && (end.empty() || it->key().compare(upper) < 0); it->Next()) {
    auto k = it->key();
    auto v = it->value();
    if (!fn({k.data(), k.size()}, {v.data(), v.size()}))
      break;
  }
  if (!it->status().ok())
    return status::error("scan failed: " + it->status().ToString());
  return {};
}

status db::scan_prefix(family cf, std::string_view prefix,
                       const std::function<bool(std::string_view, std::string_view)>& fn) {
  std::string end{prefix};
  // The smallest key above every key with this prefix.
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xFF)
    end.pop_back();
  if (!end.empty())
    end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return scan_range(cf, prefix, end, fn);
}

} // namespace sluice::storage
