#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <caf/typed_response_promise.hpp>

#include "actors/data_messages.hpp"

/// Deduplicated sends in a storage shard (docs/api.md, "Deduplicated sends").
///
/// A send whose items carry dedup ids goes to the shard its first dedup id
/// picks (`dedup_shard`). The shard
/// 1. waits while an earlier append with any of the same ids is in flight
///    (`busy`), so two concurrent repeats can never both store;
/// 2. asks its store which ids have an unexpired entry (a read on the
///    store's reader thread, never on the actor);
/// 3. stores the items whose ids are new — with an entry for each, expiring
///    a window after now, in the same atomic write — and answers every item
///    with its id: a repeat gets the original message's, and an id repeated
///    inside one batch is stored once.
/// The entries live in the store, not in memory: what a shard keeps grows
/// only with the appends in flight. Expired entries are swept (deleted) at the
/// shard's ticks once the oldest is due.

namespace sluice {

/// An append that waits for earlier appends with the same dedup ids, or for
/// its lookup.
struct pending_dedup_append {
  shard_append request;
  caf::typed_response_promise<sent_messages> rp;
  std::vector<std::string> ids; ///< its distinct dedup ids
};

/// The dedup bookkeeping of one storage shard (a part of its state).
struct shard_dedup {
  /// Dedup ids of appends being looked up or written.
  std::unordered_set<std::string> busy;
  /// Appends waiting for ids in `busy`, oldest first.
  std::deque<pending_dedup_append> parked;
  /// Appends whose lookup is under way, by token.
  std::map<uint64_t, pending_dedup_append> looking_up;
  uint64_t next_token = 1;
  /// When the oldest stored entry expires (INT64_MAX: none known).
  int64_t sweep_at = INT64_MAX;
  /// The earliest expiry written since the running sweep read the store.
  int64_t written_since_sweep = INT64_MAX;
  bool sweeping = false;
};

/// Most entries one sweep deletes; a sweep that deleted this many runs again
/// soon.
inline constexpr size_t dedup_sweep_limit = 10000;

/// The shard (of `shards`) that checks a send whose first dedup id is
/// `dedup_id`: FNV-1a of the id, stable across builds and restarts, since
/// the entries a shard stored must be found by the same shard after a restart.
uint16_t dedup_shard(const std::string& dedup_id, size_t shards);

/// Longest dedup id, in bytes (SQS's MessageDeduplicationId has the same bound).
inline constexpr size_t max_dedup_id_bytes = 128;

/// A dedup id is 1-128 printable ASCII characters (0x20-0x7E). Empty when
/// `id` is one, else a message naming `field`.
std::string check_dedup_id(const std::string& field, std::string_view id);

/// Notes that entries expiring at `expires_ms` are being written (the next
/// sweep is due then at the latest).
void dedup_written(shard_dedup& d, int64_t expires_ms);

/// True if `req` needs the dedup path: a window and at least one dedup id.
bool wants_dedup(const shard_append& req);

/// The answer to a deduplicated append, item by item, from what the lookup
/// found (`hits`): which items to store (`store`, their positions in
/// `stored_at`) and the ids known already (`ids`, "" where a stored item's id
/// goes; `same_as[i]` ≥ 0 where item i repeats an earlier item of the batch).
struct dedup_plan {
  std::vector<append_item> store;
  std::vector<size_t> stored_at;
  std::vector<std::string> ids;
  std::vector<int64_t> same_as;
};

/// Splits `items` by `hits` (see `dedup_plan`); moves the stored items out.
dedup_plan plan_dedup(std::vector<append_item>& items, const std::vector<storage::dedup_hit>& hits);

/// Fills the ids of `plan` from `stored_ids` (one per `plan.store` item, in
/// order) and returns the answer's ids, in the order of the request.
std::vector<std::string> answer_ids(dedup_plan& plan, std::vector<std::string> stored_ids);

} // namespace sluice
