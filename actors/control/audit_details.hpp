#pragma once

#include <string>
#include <utility>
#include <vector>

#include "storage/records.hpp"

/// What an audit entry says about the resource it records (its `details`):
/// settings, names and ids, never a secret. A token's secret and hash and a
/// script's variable values are left out (a variable may hold a password);
/// only the variables' names appear. Pure functions; any thread.

namespace sluice {

using audit_details = std::vector<std::pair<std::string, std::string>>;

/// delivery_delay, message_retention_period (seconds), delivery_paused.
audit_details details_of(const storage::queue_settings& s);

/// The consumer's type and the settings that apply to it, its script (worker)
/// and dead-letter queue. `max_concurrency` 0 reads "auto".
audit_details details_of(const storage::consumer_record& c);

/// name, enabled, source (type), source_<field> for each filter field,
/// events (comma-separated), destination_queue_id.
audit_details details_of(const storage::subscription_record& s);

/// name, permissions (comma-separated names), all_accounts. Never the hash.
audit_details details_of(const storage::token_record& t);

/// plugin, env_names (comma-separated variable names). Never the values.
audit_details details_of(const storage::script_record& s);

/// Appends `changed`: the comma-separated keys of `after` whose value differs
/// from the same key in `before` (absent there counts as different). Appends
/// nothing when no value changed.
void mark_changed(const audit_details& before, audit_details& after);

/// `mark_changed` for a redeployed script, then `env_changed`: the names of
/// the variables added, removed or given another value (never the values);
/// nothing when none was.
void mark_changed(const storage::script_record& before, const storage::script_record& after,
                  audit_details& details);

} // namespace sluice
