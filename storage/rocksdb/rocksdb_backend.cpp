#include "storage/rocksdb/rocksdb_backend.hpp"

#include "storage/rocksdb/store_swap.hpp"
#include "storage/rocksdb/stores.hpp"

namespace sluice::storage {

std::unique_ptr<rocksdb_backend> rocksdb_backend::open(const std::string& dir, mode m,
                                                       store_error& err) {
  auto st = finish_store_swap(dir);
  if (!st.ok()) {
    err = st.as_error();
    return nullptr;
  }
  auto d = db::open(dir, st);
  if (!d) {
    err = st.as_error();
    return nullptr;
  }
  return std::unique_ptr<rocksdb_backend>(new rocksdb_backend(dir, std::move(d), m));
}

rocksdb_backend::rocksdb_backend(std::string dir, std::unique_ptr<db> d, mode m)
  : dir_(std::move(dir)), db_(std::move(d)) {
  auto threaded = m == mode::threaded;
  writer_ = std::make_unique<writer>(*db_, threaded ? writer::mode::threaded
                                                    : writer::mode::inline_commit);
  reader_ = std::make_unique<io_thread>(threaded ? io_thread::mode::threaded
                                                 : io_thread::mode::inline_run);
  meta_ = make_rocksdb_meta_store(*db_, *writer_);
}

rocksdb_backend::~rocksdb_backend() {
  stop();
}

meta_store& rocksdb_backend::meta() {
  return *meta_;
}

std::unique_ptr<message_store> rocksdb_backend::messages(const std::string& queue_id,
                                                         uint16_t shard) {
  return make_rocksdb_message_store(*db_, *writer_, *reader_, queue_id, shard);
}

std::string rocksdb_backend::reclaim_space() {
  auto st = db_->reclaim_space();
  return st.ok() ? std::string{} : st.message();
}

void rocksdb_backend::stop() {
  reader_->stop();
  writer_->stop();
}

} // namespace sluice::storage
