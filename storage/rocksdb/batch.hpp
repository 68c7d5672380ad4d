#pragma once

#include <string>
#include <vector>

namespace sluice::storage {

/// The column families of the single RocksDB instance (docs/architecture.md, storage
/// layout): `meta` holds accounts, queues, consumers and tokens; `messages`
/// holds message headers and bodies (written once); `state` holds the small
/// mutable delivery state of each message; `dedup` holds the dedup entries of
/// sends (storage/rocksdb/dedup_index.hpp).
enum class family : unsigned char { meta, messages, state, dedup };

/// A set of writes that commit atomically: all of them or none. Built by any
/// thread, then handed to `writer::submit` (which takes ownership).
class batch {
public:
  enum class op_kind : unsigned char { put, erase, erase_range };

  /// One write. For `erase_range`, `value` is the exclusive end key.
  struct op {
    op_kind kind;
    family cf;
    std::string key;
    std::string value;
  };

  void put(family cf, std::string key, std::string value) {
    ops_.push_back({op_kind::put, cf, std::move(key), std::move(value)});
  }

  void erase(family cf, std::string key) {
    ops_.push_back({op_kind::erase, cf, std::move(key), {}});
  }

  /// Deletes every key in [begin, end).
  void erase_range(family cf, std::string begin, std::string end) {
    ops_.push_back({op_kind::erase_range, cf, std::move(begin), std::move(end)});
  }

  /// Moves every write of `other` to the end of this batch.
  void append(batch&& other) {
    for (auto& o : other.ops_)
      ops_.push_back(std::move(o));
    other.ops_.clear();
  }

  /// Makes room for `n` writes in all.
  void reserve(size_t n) { ops_.reserve(n); }

  const std::vector<op>& ops() const { return ops_; }

private:
  std::vector<op> ops_;
};

} // namespace sluice::storage
