#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/raft/c_api.hpp"

/// The bytes of what the engine puts into raft: a log entry packs the
/// commands of many submissions (format 1: u8 format, u32 count, then per
/// command a u32 length and its bytes; integers big-endian), a snapshot is
/// the applied index and the state machine's own bytes (u8 format, u64
/// index, rest). Buffers are allocated with raft_malloc because raft takes
/// ownership of them.

namespace sluice::storage::raft {

/// The encoded size of an entry holding `count` commands of `bytes` bytes in
/// all, padding included: always a multiple of 8.
size_t entry_size(size_t count, size_t bytes);

/// Appends commands to one entry buffer sized with `entry_size` beforehand.
class entry_writer {
public:
  /// Allocates (raft_malloc) a buffer of `entry_size(count, bytes)` bytes and
  /// writes the header. `ok()` is false when the allocation failed.
  entry_writer(size_t count, size_t bytes);
  /// Frees the buffer unless `release()` handed it over.
  ~entry_writer();
  entry_writer(const entry_writer&) = delete;
  entry_writer& operator=(const entry_writer&) = delete;

  bool ok() const { return buf_.base != nullptr; }
  /// Writes one command; exactly `count` calls, `bytes` bytes in all.
  void add(std::string_view command);
  /// The finished buffer; the caller (then raft) owns it.
  raft_buffer release();

private:
  raft_buffer buf_{};
  size_t at_ = 0;
};

/// The commands of an entry, viewing `data` (valid as long as it is). False
/// when `data` is not a well-formed format-1 entry.
bool decode_entry(std::string_view data, std::vector<std::string_view>& commands);

/// A snapshot buffer (raft_malloc) holding `index` and `state`; `base` is
/// null when the allocation failed.
raft_buffer encode_snapshot(uint64_t index, std::string_view state);

/// Reads what `encode_snapshot` wrote. False when `data` is malformed.
bool decode_snapshot(std::string_view data, uint64_t& index, std::string_view& state);

} // namespace sluice::storage::raft
