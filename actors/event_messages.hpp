#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>

#include "actors/messages.hpp"
#include "storage/records.hpp"

/// The message vocabulary of event subscriptions (docs/events.md): subscription
/// CRUD at the hub, publishing through the event router. Registered in
/// `actors/type_ids.hpp`.

namespace sluice {

using source_fields = std::vector<std::pair<std::string, std::string>>;

namespace storage {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subscription_record& x) {
  return f(caf::meta::type_name("subscription_record"), x.account, x.id, x.name, x.source_type,
           x.source_fields, x.events, x.queue_id, x.enabled, x.created_ms, x.modified_ms);
}

} // namespace storage

using subscription_list = std::vector<storage::subscription_record>;

/// A subscription as a client sent it: absent fields are unset (on create,
/// `source`, `events` and `queue_id` are required).
struct subscription_patch {
  caf::optional<std::string> name;
  caf::optional<bool> enabled;
  caf::optional<std::vector<std::string>> events;
  caf::optional<std::string> source_type;
  source_fields fields; ///< the source object's other string fields (snake_case)
  caf::optional<std::string> queue_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subscription_patch& x) {
  return f(caf::meta::type_name("subscription_patch"), x.name, x.enabled, x.events, x.source_type,
           x.fields, x.queue_id);
}

/// Reply: `subscription_record`, or `invalid_request` (naming the field),
/// `queue_not_found`, `storage_failure`.
struct create_subscription {
  std::string account;
  subscription_patch patch;
  /// Token id of the caller, for the audit log ("dev" in --dev mode).
  std::string caller = {};
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, create_subscription& x) {
  return f(caf::meta::type_name("create_subscription"), x.account, x.patch, x.caller);
}

/// Reply: `subscription_record`, or `subscription_not_found` and what create
/// answers.
struct update_subscription {
  std::string account;
  std::string id;
  subscription_patch patch;
  /// Token id of the caller, for the audit log ("dev" in --dev mode).
  std::string caller = {};
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, update_subscription& x) {
  return f(caf::meta::type_name("update_subscription"), x.account, x.id, x.patch, x.caller);
}

/// Reply: `subscription_record` (the deleted one for `delete_`), or
/// `subscription_not_found`.
struct get_subscription {
  std::string account;
  std::string id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, get_subscription& x) {
  return f(caf::meta::type_name("get_subscription"), x.account, x.id);
}

struct delete_subscription {
  std::string account;
  std::string id;
  /// Token id of the caller, for the audit log ("dev" in --dev mode).
  std::string caller = {};
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delete_subscription& x) {
  return f(caf::meta::type_name("delete_subscription"), x.account, x.id, x.caller);
}

/// The account's subscriptions, oldest first; only those into `queue_id`
/// when it is set. Reply: `subscription_list`.
struct list_subscriptions {
  std::string account;
  std::string queue_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, list_subscriptions& x) {
  return f(caf::meta::type_name("list_subscriptions"), x.account, x.queue_id);
}

/// One event as a publisher sent it (not yet validated).
struct published_event {
  std::string source_type;
  source_fields fields;       ///< the source's filter fields, snake_case
  std::string event;          ///< e.g. "bucket.created"
  int64_t schema_version = 0; ///< 0: the latest
  std::string payload;        ///< JSON object text
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, published_event& x) {
  return f(caf::meta::type_name("published_event"), x.source_type, x.fields, x.event,
           x.schema_version, x.payload);
}

/// Publish events of `account`: all are validated first (one invalid: none
/// is delivered); then each goes to every enabled matching subscription.
/// Reply, once every delivery is synced: `publish_result`, or
/// `invalid_request` naming `events[i].<field>`.
struct publish_events {
  std::string account;
  std::vector<published_event> events;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, publish_events& x) {
  return f(caf::meta::type_name("publish_events"), x.account, x.events);
}

struct publish_result {
  std::vector<std::string> ids; ///< one event id per published event, in order
  uint64_t deliveries = 0;      ///< messages appended, summed over subscriptions
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, publish_result& x) {
  return f(caf::meta::type_name("publish_result"), x.ids, x.deliveries);
}

/// An event accepted for delivery: validated, with its id, schema version and
/// time fixed.
struct routed_event {
  published_event event;
  std::string id;
  int64_t schema_version = 0;
  int64_t timestamp_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, routed_event& x) {
  return f(caf::meta::type_name("routed_event"), x.event, x.id, x.schema_version, x.timestamp_ms);
}

/// From the router to one subscription actor: append these, as envelopes, to
/// the destination queue. Reply: `caf::ok_atom` once synced.
struct deliver_events {
  std::vector<routed_event> events;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, deliver_events& x) {
  return f(caf::meta::type_name("deliver_events"), x.events);
}

/// From the hub to the router: a subscription was created or changed
/// (`removed` false), or deleted. `destination` is the destination queue's
/// coordinator. Reply: `caf::ok_atom` once the router routes by it.
struct subscription_changed {
  storage::subscription_record record;
  caf::actor destination;
  bool removed = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subscription_changed& x) {
  return f(caf::meta::type_name("subscription_changed"), x.record, x.destination, x.removed);
}

} // namespace sluice
