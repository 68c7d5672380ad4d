#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>

#include "storage/records.hpp"

/// The message vocabulary of the audit log (docs/audit.md): the hub records
/// every control-plane change and answers queries from memory. Registered in
/// `actors/type_ids.hpp`.

namespace sluice {

namespace storage {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audit_record& x) {
  return f(caf::meta::type_name("audit_record"), x.seq, x.time_ms, x.account, x.caller, x.action,
           x.resource_type, x.resource_id, x.resource_name, x.details);
}

} // namespace storage

/// Read the audit log of `account`, newest first. Unset or empty filters match
/// everything; `since_ms`/`until_ms` bound the entry's time, both inclusive.
/// Of the matching entries, skips `offset` and returns at most `limit` (0: all).
/// Reply: `audit_list`.
struct list_audit {
  std::string account;
  std::string action;      ///< e.g. "CreateQueue"; empty: any
  std::string resource_id; ///< empty: any
  caf::optional<int64_t> since_ms;
  caf::optional<int64_t> until_ms;
  uint64_t offset = 0;
  uint64_t limit = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, list_audit& x) {
  return f(caf::meta::type_name("list_audit"), x.account, x.action, x.resource_id, x.since_ms,
           x.until_ms, x.offset, x.limit);
}

/// One page of audit entries and how many matched in all.
struct audit_list {
  std::vector<storage::audit_record> entries; ///< newest first
  uint64_t total = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audit_list& x) {
  return f(caf::meta::type_name("audit_list"), x.entries, x.total);
}

} // namespace sluice
