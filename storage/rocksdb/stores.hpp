#pragma once

#include <memory>
#include <string>

#include "storage/message_store.hpp"
#include "storage/meta_store.hpp"
#include "storage/rocksdb/db.hpp"
#include "storage/rocksdb/io_thread.hpp"
#include "storage/rocksdb/writer.hpp"

/// The RocksDB stores behind `rocksdb_backend`: each command becomes one
/// atomic batch for the group-commit writer; reads are jobs on the reader
/// thread. Both keep references to what the backend owns.

namespace sluice::storage {

std::unique_ptr<meta_store> make_rocksdb_meta_store(db& d, writer& w);

std::unique_ptr<message_store> make_rocksdb_message_store(db& d, writer& w, io_thread& reader,
                                                          std::string queue_id, uint16_t shard);

/// The applied index stored in `d` (0: none; `rocksdb_backend::applied_index`).
/// Blocks on a read.
expected<uint64_t> read_applied_index(db& d);

/// Submits `b` and reports the outcome to `done` as an `expected<applied>`.
void submit(writer& w, batch b, write_callback done);

} // namespace sluice::storage
