#include "storage/rocksdb/db.hpp"

#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

namespace sluice::storage {

struct db::impl {
  std::unique_ptr<rocksdb::DB> rdb;
  std::vector<rocksdb::ColumnFamilyHandle*> handles; // indexed by `family`

  rocksdb::ColumnFamilyHandle* cf(family f) const { return handles[static_cast<size_t>(f)]; }

  ~impl() {
    for (auto* h : handles)
      if (h != nullptr)
        rdb->DestroyColumnFamilyHandle(h);
  }
};

db::db(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

db::~db() = default;

std::unique_ptr<db> db::open(const std::string& dir, status& st) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.IncreaseParallelism(2);
  // Replay the write-ahead log into memory at open instead of flushing it to a
  // new table file first: a restart on a nearly full disk must not need room
  // for a copy of the unflushed data (docs/operations.md, "A full disk").
  options.avoid_flush_during_recovery = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs{
      {rocksdb::kDefaultColumnFamilyName, {}},
      {"meta", {}},
      {"messages", {}},
      {"state", {}},
      {"dedup", {}},
  };
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(rocksdb::DBOptions(options), dir, cfs, &handles, &raw);
  if (!s.ok()) {
    st = status::error("cannot open data directory " + dir + ": " + s.ToString());
    return nullptr;
  }
  auto p = std::make_unique<impl>();
  p->rdb.reset(raw);
  // Drop the default family's handle: RocksDB owns it; we only use ours.
  raw->DestroyColumnFamilyHandle(handles[0]);
  p->handles.assign(handles.begin() + 1, handles.end());
  st = status{};
  return std::unique_ptr<db>(new db(std::move(p)));
}

status db::reclaim_space() {
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
                      const std::function<bool(std::string_view, std::string_view)>& fn) {
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->rdb->NewIterator(rocksdb::ReadOptions(), impl_->cf(cf)));
  rocksdb::Slice upper(end.data(), end.size());
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
