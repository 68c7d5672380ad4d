#pragma once

#include "actors/control/audit_details.hpp"
#include "actors/control/hub.hpp"

/// The hub's message handlers, one per request type, split by concern
/// (hub_queues.cpp, hub_tokens.cpp). Only `hub()` calls them.

namespace sluice::hub_handlers {

using self_ptr = hub_actor::stateful_pointer<hub_state>;

caf::result<storage::queue_record> on_create(self_ptr self, const create_queue& req);
caf::result<storage::queue_record> on_get(self_ptr self, const get_queue& req);
caf::result<storage::queue_record> on_update(self_ptr self, const update_queue& req);
caf::result<caf::ok_atom> on_delete(self_ptr self, const delete_queue& req);
caf::result<token_created> on_create_token(self_ptr self, const create_token& req);
token_list on_list_tokens(self_ptr self, const list_tokens& req);
caf::result<caf::ok_atom> on_revoke_token(self_ptr self, const revoke_token& req);

caf::result<storage::consumer_record> on_put_consumer(self_ptr self, const put_consumer& req);
caf::result<caf::ok_atom> on_delete_consumer(self_ptr self, const delete_consumer& req);

caf::result<storage::subscription_record> on_create_subscription(self_ptr self,
                                                                 const create_subscription& req);
caf::result<storage::subscription_record> on_update_subscription(self_ptr self,
                                                                 const update_subscription& req);
caf::result<storage::subscription_record> on_get_subscription(self_ptr self,
                                                              const get_subscription& req);
caf::result<storage::subscription_record> on_delete_subscription(self_ptr self,
                                                                 const delete_subscription& req);
subscription_list on_list_subscriptions(self_ptr self, const list_subscriptions& req);

caf::result<storage::script_record> on_put_script(self_ptr self, const put_script& req);
caf::result<storage::script_record> on_get_script(self_ptr self, const get_script& req);
script_list on_list_scripts(self_ptr self, const list_scripts& req);
caf::result<caf::ok_atom> on_delete_script(self_ptr self, const delete_script& req);

/// Records the purge in the audit log, then hands it to the queue's coordinator.
caf::result<purge_status> on_purge(self_ptr self, const purge_queue& req);

/// Starts a redrive task on a queue (hub_redrive.cpp): checks, reads the
/// backlog (messages to move), persists it with its audit entry, spawns it.
caf::result<storage::redrive_record> on_start_redrive(self_ptr self, const start_redrive& req);
caf::result<storage::redrive_record> on_get_redrive(self_ptr self, const get_redrive& req);
/// Marks the running task CANCELLED (durable, audited), then stops it.
caf::result<storage::redrive_record> on_cancel_redrive(self_ptr self, const cancel_redrive& req);
/// Records a task's progress or end (persisted without an audit entry).
void on_redrive_progress(self_ptr self, const redrive_progress& msg);
/// Runs the task of `rec` (its queue's coordinator must exist).
void spawn_redrive(self_ptr self, const storage::redrive_record& rec);
/// The queue was deleted (its record with it): stops its task, forgets both.
void forget_redrive(self_ptr self, const std::string& queue_id);
/// At start: keeps the recovered tasks of existing queues and resumes the
/// running ones.
void resume_redrives(self_ptr self, std::vector<storage::redrive_record> recovered);

/// An audit entry of `account` by `caller` stamped with the hub's clock; its
/// seq is assigned by `submit_audited`.
storage::audit_record audit_entry(self_ptr self, const std::string& account,
                                  const std::string& caller, std::string_view action,
                                  std::string_view resource_type, std::string resource_id,
                                  std::string resource_name, audit_details details);

/// Applies `change` to the meta store with audit entries: `entries` are
/// written in the same change (atomic with what they record, past entries
/// beyond the retention erased in it too). Once durable they become
/// queryable and are logged (`log_audit`), then `then` runs; if the write
/// fails they are dropped and `then` gets the error, whose message starts
/// with `what` ("could not store the token").
void submit_audited(self_ptr self, storage::meta_change change,
                    std::vector<storage::audit_record> entries, std::string what,
                    persister::continuation then);

/// Script `name` of `account`, or null.
const storage::script_record* find_script(self_ptr self, const std::string& account,
                                          const std::string& name);

/// Publishes one of the hub's own `queues` events; nobody waits for it.
void publish(self_ptr self, const std::string& account, published_event e);

/// What the router needs to know of `rec`: the record and its destination's
/// coordinator (invalid if the queue is gone).
subscription_changed changed(self_ptr self, const storage::subscription_record& rec, bool removed);

/// Tells the event router every recovered subscription (at start).
void announce_subscriptions(self_ptr self);

/// Removes the subscriptions into `queue_id` (the queue is being deleted):
/// erases them in `change`, tells the router, returns them (to restore on
/// failure).
std::vector<storage::subscription_record> take_subscriptions_of_queue(self_ptr self,
                                                                      const std::string& queue_id,
                                                                      storage::meta_change& change);

/// Tells the queue's coordinator its consumer (and dead-letter queue).
void notify_consumer(self_ptr self, const storage::queue_record& q);

/// Starts the coordinator of a queue (recovered or just created); its
/// shards recover their messages through their stores.
void spawn_coordinator(self_ptr self, const storage::queue_record& q);

/// The coordinator of `queue_id` if the account owns it, else an error.
caf::expected<coordinator_actor> coordinator_of(self_ptr self, const std::string& account,
                                                const std::string& queue_id);

} // namespace sluice::hub_handlers
