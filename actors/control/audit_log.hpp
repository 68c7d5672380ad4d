#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "actors/audit_messages.hpp"
#include "storage/meta_store.hpp"
#include "storage/records.hpp"

/// The hub's audit log (docs/audit.md): every account's newest entries in
/// memory, mirrored in the `meta` family. Pure bookkeeping: it adds writes to
/// the caller's meta change and never touches the disk itself. Owned by the hub's
/// state; not thread-safe.

namespace sluice {

/// Entries kept per account; adding one more erases the oldest in the same change.
inline constexpr size_t default_audit_retention = 10000;

/// The actions an entry can record (its `action`), as the API names them.
namespace audit_action {
inline constexpr std::string_view create_queue = "CreateQueue";
inline constexpr std::string_view update_queue = "UpdateQueue";
inline constexpr std::string_view delete_queue = "DeleteQueue";
inline constexpr std::string_view purge_queue = "PurgeQueue";
inline constexpr std::string_view attach_consumer = "AttachConsumer";
inline constexpr std::string_view update_consumer = "UpdateConsumerSettings";
inline constexpr std::string_view remove_consumer = "RemoveConsumer";
inline constexpr std::string_view create_subscription = "CreateSubscription";
inline constexpr std::string_view update_subscription = "UpdateSubscription";
inline constexpr std::string_view delete_subscription = "DeleteSubscription";
inline constexpr std::string_view create_token = "CreateToken";
inline constexpr std::string_view revoke_token = "RevokeToken";
inline constexpr std::string_view deploy_script = "DeployScript";
inline constexpr std::string_view delete_script = "DeleteScript";
inline constexpr std::string_view start_redrive = "StartRedrive";
inline constexpr std::string_view cancel_redrive = "CancelRedrive";

/// Every action above, for validating a query's filter.
inline constexpr std::string_view all[] = {
    create_queue,        update_queue,        delete_queue,    purge_queue,
    attach_consumer,     update_consumer,     remove_consumer, create_subscription,
    update_subscription, delete_subscription, create_token,    revoke_token,
    deploy_script,       delete_script,       start_redrive,   cancel_redrive,
};

/// True if `name` is one of `all`.
bool known(std::string_view name);
} // namespace audit_action

/// What `audit_log::add` did, to settle once the change is written.
struct audit_receipt {
  std::string account;
  uint64_t seq = 0;
  /// Older entries whose erasure rides in the same change (restored if it fails).
  std::vector<storage::audit_record> trimmed;
};

class audit_log {
public:
  /// `recovered`: the entries on disk, in any order. The first new entry's seq
  /// is past the last recovered one and past `now_ms` in microseconds, so seqs
  /// keep rising even if the data directory lost its newest entries.
  audit_log(std::vector<storage::audit_record> recovered = {},
            size_t retention = default_audit_retention, int64_t now_ms = 0);

  /// Gives `rec` the next seq and records its write in `c`, together with the
  /// erasure of the account's oldest settled entries beyond the retention. The
  /// entry is pending (not listed) until `commit`; `rollback` forgets it.
  audit_receipt add(storage::audit_record& rec, storage::meta_change& c);

  /// The change of `r` is durable: its entry is listed from now on.
  void commit(const audit_receipt& r);

  /// The change of `r` failed: its entry is gone, its trimmed entries are back.
  void rollback(const audit_receipt& r);

  /// The settled entries of `q.account` that match `q`, newest first.
  audit_list query(const list_audit& q) const;

private:
  struct entry {
    storage::audit_record rec;
    bool settled = false;
  };

  /// account → entries, oldest first (ascending seq).
  std::unordered_map<std::string, std::deque<entry>> accounts_;
  size_t retention_;
  uint64_t next_seq_ = 1;
};

} // namespace sluice
