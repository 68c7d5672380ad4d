#include "storage/rocksdb/rocksdb_backend.hpp"
#include "storage/rocksdb/store_swap.hpp"
#include "storage/rocksdb/stores.hpp"

namespace sluice::storage {

expected<uint64_t> rocksdb_backend::create_checkpoint(const std::string& dir) {
  auto before = read_applied_index(*db_);
  if (!before)
    return before;
  auto st = db_->checkpoint_to(dir);
  if (!st.ok())
    return st.as_error();
  return before;
}

namespace {

/// The applied index of the store in `dir`, read by opening it.
expected<uint64_t> applied_index_in(const std::string& dir) {
  status st;
  auto d = db::open(dir, st);
  if (!d)
    return store_error{st.code(), "the replacement store does not open: " + st.message()};
  return read_applied_index(*d);
}

} // namespace

expected<uint64_t> rocksdb_backend::swap_in_incoming(uint64_t min_index) {
  auto incoming = applied_index_in(incoming_dir_of(dir_));
  if (!incoming)
    return incoming;
  if (*incoming < min_index)
    return store_error{store_errc::io_error, "the replacement store holds index "
                                                 + std::to_string(*incoming) + ", below the "
                                                 + std::to_string(min_index) + " needed"};
  auto st = db_->reopen_after([this] { return swap_store_dirs(dir_); });
  if (!st.ok())
    return st.as_error();
  // The new store is in place: the old one is garbage (a failure to delete
  // it is retried by the next open, `finish_store_swap`).
  (void)remove_old_store(dir_);
  auto now = applied_index();
  if (now && *now < min_index)
    return store_error{store_errc::io_error, "the store reopened at index " + std::to_string(*now)
                                                 + ", below the " + std::to_string(min_index)
                                                 + " needed"};
  return now;
}

} // namespace sluice::storage
