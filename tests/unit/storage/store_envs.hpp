#pragma once

#include <catch2/catch.hpp>

#include <memory>

#include "storage/memory/memory_backend.hpp"
#include "storage/rocksdb/rocksdb_backend.hpp"
#include "tests/temp_dir.hpp"

/// The backends a store contract test runs against (TEMPLATE_TEST_CASE over
/// both): `get()` the backend, `restart()` it over the same state.

namespace sluice::test {

/// The memory backend: the state belongs to the backend object, so dropping
/// the store handles is the restart.
struct memory_env {
  static constexpr const char* name = "memory";
  storage::memory_backend b;

  storage::backend& get() { return b; }
  void restart() {}
};

/// The production RocksDB backend (inline I/O) in a temp dir; a restart
/// stops it and opens the same dir again.
struct rocksdb_env {
  static constexpr const char* name = "rocksdb";
  temp_dir dir;
  std::unique_ptr<storage::rocksdb_backend> b;

  rocksdb_env() { open(); }
  storage::backend& get() { return *b; }
  void restart() {
    b->stop();
    b.reset();
    open();
  }

private:
  void open() {
    storage::store_error err;
    b = storage::rocksdb_backend::open(dir.path(), storage::rocksdb_backend::mode::inline_io, err);
    INFO(err.message);
    REQUIRE(b);
  }
};

} // namespace sluice::test
