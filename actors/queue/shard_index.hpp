#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "storage/message_records.hpp"

namespace sluice {

/// What only some messages carry, kept apart so that the common entry stays
/// small: the id kept across a dead-letter move and where it came from, and
/// the last failure a plugin reported for it.
struct entry_extras {
  std::string id; ///< "" : the id derived from the entry's seq
  std::optional<storage::dead_letter_origin> dead_letter;
  std::string last_error; ///< `storage::delivery_state::last_error`
};

/// One message as a storage shard holds it in memory.
struct shard_entry {
  uint64_t seq = 0;
  int64_t timestamp_ms = 0;
  storage::content_type type = storage::content_type::json;
  std::string body;
  uint32_t attempts = 0;
  int64_t visible_at_ms = 0;
  uint32_t lease_gen = 0; ///< bumped on every lease, so every lease id is distinct
  bool leased = false;
  int64_t lease_deadline_ms = 0;
  /// The last lease went to a worker (push) consumer, not an HTTP pull one.
  bool pushed = false;
  /// Null for a message sent here that no plugin reported a failure for.
  std::unique_ptr<entry_extras> extras;

  /// The extras, created on first use.
  entry_extras& extra();
  /// The last failure reported for this message, or "".
  const std::string& last_error() const;
};

/// The in-memory delivery index of one storage shard: which messages are
/// ready (in sequence order), delayed (until a time) or leased (until a
/// deadline). Pure logic with the time passed in, so unit tests drive it
/// without actors; the shard actor persists what it changes. Not thread-safe.
class shard_index {
public:
  /// Adds a stored message; it is ready if `visible_at_ms <= now`.
  void add(shard_entry e, int64_t now);

  /// Leases up to `n` ready messages until `deadline`, counting a delivery
  /// (`attempts`+1, new `lease_gen`). Returns their sequence numbers.
  std::vector<uint64_t> lease(size_t n, int64_t deadline);

  /// The entry of `seq`, or null.
  shard_entry* find(uint64_t seq);

  /// Forgets `seq` wherever it is. Returns false if unknown.
  bool remove(uint64_t seq);

  /// Removes `seq` and hands its entry over (to `restore` if the deletion
  /// cannot be made durable). Empty if unknown.
  std::optional<shard_entry> take(uint64_t seq);

  /// Puts back an entry `take` removed, exactly as it was: leased until its
  /// deadline, delayed or ready.
  void restore(shard_entry e, int64_t now);

  /// Makes `seq` (leased or not) deliverable again at `visible_at` (now or
  /// later). False if unknown.
  bool release(uint64_t seq, int64_t visible_at, int64_t now);

  /// Moves every delayed message whose time has come to ready, and returns
  /// the leased messages whose deadline has passed (still leased: the caller
  /// releases, dead-letters or deletes each).
  std::vector<uint64_t> advance(int64_t now);

  /// Messages older than `cutoff_ms` (by send time) that are not leased;
  /// visits only those (plus leased ones older than the cutoff).
  std::vector<uint64_t> older_than(int64_t cutoff_ms) const;

  /// The earliest time at which `advance` has work, or INT64_MAX.
  int64_t next_deadline() const;

  size_t ready_count() const { return ready_.size(); }
  size_t delayed_count() const { return delayed_.size(); }
  size_t leased_count() const { return leased_count_; }
  size_t size() const { return entries_.size(); }
  uint64_t bytes() const { return bytes_; }
  /// Send time of the oldest message held, or 0 if none.
  int64_t oldest_timestamp() const;

  /// Sequence numbers of up to `n` messages in order, leased or not (peek).
  std::vector<uint64_t> first(size_t n) const;

  /// Sequence numbers of every message held, leased or not (purge).
  std::vector<uint64_t> all() const;

private:
  void unlink(const shard_entry& e);

  std::map<uint64_t, shard_entry> entries_;
  std::set<uint64_t> ready_;
  std::multimap<int64_t, uint64_t> delayed_;       // visible_at → seq
  std::multimap<int64_t, uint64_t> leases_;        // deadline → seq
  std::set<std::pair<int64_t, uint64_t>> by_time_; // (timestamp_ms, seq): oldest, retention
  size_t leased_count_ = 0;
  uint64_t bytes_ = 0;
};

} // namespace sluice
