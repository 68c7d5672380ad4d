#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "storage/message_store.hpp"
#include "storage/meta_store.hpp"

/// Every write command of both stores as one value with its target: what a
/// replicated store puts in its log (`storage/replicated/command_codec.hpp`)
/// and what an engine applies at an index chosen outside it
/// (`rocksdb_backend::apply_at`).

namespace sluice::storage {

/// Stores the lease secret unless one is stored already: the first proposal
/// applied wins, on every replica alike (`meta_store::lease_secret`).
struct propose_lease_secret {
  std::string secret;
};

/// A dedup entry by its keys (`storage/rocksdb/dedup_index.hpp`): its id and
/// its expiry.
struct dedup_key {
  std::string dedup_id;
  int64_t expires_ms = 0;
};

/// Deletes exactly these dedup entries of the shard (absent ones are
/// skipped): the replicated form of `expire_dedup`. The leader reads which
/// entries expired from its own store, then replicates their deletion, so
/// every replica deletes the same keys whatever its clock or apply order
/// (docs/cluster.md, "Dedup sweeps").
struct erase_dedup {
  std::vector<dedup_key> keys;
};

/// One write command. Message commands target shard `shard` of queue
/// `queue_id`; `meta_change` and `propose_lease_secret` target the meta store
/// (`queue_id` and `shard` unused).
struct store_command {
  using body_type =
      std::variant<append_messages, lease_messages, settle_messages, delete_messages,
                   expire_messages, purge_messages, meta_change, propose_lease_secret, erase_dedup>;

  std::string queue_id;
  uint16_t shard = 0;
  body_type body;
};

/// True when `cmd` targets the meta store.
inline bool targets_meta(const store_command& cmd) {
  return std::holds_alternative<meta_change>(cmd.body)
         || std::holds_alternative<propose_lease_secret>(cmd.body);
}

} // namespace sluice::storage
