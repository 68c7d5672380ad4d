#include <caf/send.hpp>

#include "actors/control/crypto.hpp"
#include "actors/control/hub_handlers.hpp"
#include "actors/control/queue_rules.hpp"
#include "actors/errc.hpp"
#include "actors/queue/coordinator.hpp"
#include "actors/queue/queue_events.hpp"

namespace sluice::hub_handlers {

using storage::queue_record;

namespace {

void stop_coordinator(self_ptr self, const std::string& id) {
  auto i = self->state.coordinators.find(id);
  if (i == self->state.coordinators.end())
    return;
  self->unlink_from(i->second);
  self->send_exit(i->second, caf::exit_reason::user_shutdown);
  self->state.coordinators.erase(i);
  self->state.publish_queues();
}

/// Persists `q` with its audit entry and replies with it once synced; on a
/// storage failure the in-memory change is rolled back to `before` (or removed
/// if there was none).
caf::typed_response_promise<queue_record> persist_queue(self_ptr self, const queue_record& q,
                                                        caf::optional<queue_record> before,
                                                        storage::audit_record entry) {
  auto rp = self->make_response_promise<queue_record>();
  storage::meta_change change;
  change.put_queues.push_back(q);
  submit_audited(self, std::move(change), {std::move(entry)}, "could not store the queue",
                 [self, q, before, rp](const caf::error& err) mutable {
                   if (err) {
                     if (before)
                       self->state.put(*before);
                     else
                       self->state.remove(q.account, q.id);
                     rp.deliver(err);
                     return;
                   }
                   auto c = self->state.coordinators.find(q.id);
                   if (c == self->state.coordinators.end()) {
                     spawn_coordinator(self, q);
                     publish(self, q.account, queue_created(q));
                   } else {
                     self->send(c->second, q);
                   }
                   rp.deliver(q);
                 });
  return rp;
}

} // namespace

void publish(self_ptr self, const std::string& account, published_event e) {
  // Nobody waits for the hub's own events: the answer is dropped.
  caf::anon_send(self->state.router, publish_events{account, {std::move(e)}});
}

void spawn_coordinator(self_ptr self, const queue_record& q) {
  auto& st = self->state;
  coordinator_config cfg{q, st.node, st.leases, st.now_ms, st.router, st.plugins, st.metrics};
  st.coordinators[q.id] = self->spawn<caf::linked>(coordinator, std::move(cfg));
  st.publish_queues();
}

caf::expected<coordinator_actor> coordinator_of(self_ptr self, const std::string& account,
                                                const std::string& queue_id) {
  auto i = self->state.coordinators.find(queue_id);
  if (self->state.find(account, queue_id) == nullptr || i == self->state.coordinators.end())
    return queue_not_found(queue_id);
  return i->second;
}

caf::result<queue_record> on_create(self_ptr self, const create_queue& req) {
  auto& st = self->state;
  if (auto err = check_queue_name(req.name); !err.empty())
    return make_error(errc::invalid_request, err);
  queue_record q;
  if (auto err = apply_settings(req.settings, true, q.settings); !err.empty())
    return make_error(errc::invalid_request, err);
  if (req.jurisdiction) {
    if (auto err = check_jurisdiction(*req.jurisdiction); !err.empty())
      return make_error(errc::invalid_request, err);
    q.jurisdiction = *req.jurisdiction;
  }
  auto& acct = st.accounts[req.account];
  if (acct.id_by_name.count(req.name) > 0)
    return make_error(errc::queue_name_taken,
                      "a queue named '" + req.name + "' already exists in this account");
  if (acct.by_id.size() >= max_queues_per_account)
    return make_error(errc::queue_limit, "this account already has the maximum of "
                                             + std::to_string(max_queues_per_account)
                                             + " queues; delete one first");
  q.account = req.account;
  q.id = random_hex(16);
  q.name = req.name;
  q.created_ms = q.modified_ms = st.now_ms();
  st.put(q); // reserves the name now; rolled back if the write fails
  auto details = details_of(q.settings);
  if (!q.jurisdiction.empty())
    details.emplace_back("jurisdiction", q.jurisdiction);
  auto entry = audit_entry(self, q.account, req.caller, audit_action::create_queue, "queue", q.id,
                           q.name, std::move(details));
  return persist_queue(self, q, caf::none, std::move(entry));
}

caf::result<queue_record> on_get(self_ptr self, const get_queue& req) {
  if (auto* q = self->state.find(req.account, req.queue_id))
    return *q;
  return queue_not_found(req.queue_id);
}

namespace {

/// A fan-out queue returns to one consumer only when it has at most one, and
/// that one reads the queue's own shards (slot 0).
caf::error check_mode_change(const queue_record& q, const storage::queue_settings& next) {
  if (q.settings.mode != storage::consumer_mode::multi
      || next.mode != storage::consumer_mode::single)
    return {};
  if (q.consumers.size() > 1)
    return make_error(errc::consumer_exists,
                      "settings.consumer_mode cannot become \"single\": queue '" + q.name + "' has "
                          + std::to_string(q.consumers.size())
                          + " consumers; remove all but one first");
  if (!q.consumers.empty() && q.consumers.front().slot != 0)
    return make_error(errc::consumer_exists,
                      "settings.consumer_mode cannot become \"single\": consumer "
                          + q.consumers.front().id
                          + " was added after the first and reads its own copy of the messages; "
                            "remove it first");
  return {};
}

} // namespace

caf::result<queue_record> on_update(self_ptr self, const update_queue& req) {
  auto* q = self->state.find(req.account, req.queue_id);
  if (q == nullptr)
    return queue_not_found(req.queue_id);
  if (req.name && *req.name != q->name)
    return make_error(errc::invalid_request, "queue_name cannot be changed (queue '" + q->name
                                                 + "'); create a new queue instead");
  if (req.jurisdiction) {
    if (auto err = check_jurisdiction(*req.jurisdiction); !err.empty())
      return make_error(errc::invalid_request, err);
    if (*req.jurisdiction != q->jurisdiction)
      return make_error(errc::invalid_request,
                        "jurisdiction cannot be changed (queue '" + q->name + "' has "
                            + (q->jurisdiction.empty() ? "none" : "'" + q->jurisdiction + "'")
                            + "); create a new queue instead");
  }
  auto before = *q;
  auto next = *q;
  if (auto err = apply_settings(req.settings, req.replace, next.settings); !err.empty())
    return make_error(errc::invalid_request, err);
  if (auto err = check_mode_change(before, next.settings); err)
    return err;
  next.modified_ms = self->state.now_ms();
  self->state.put(next);
  auto details = details_of(next.settings);
  mark_changed(details_of(before.settings), details);
  auto entry = audit_entry(self, next.account, req.caller, audit_action::update_queue, "queue",
                           next.id, next.name, std::move(details));
  return persist_queue(self, next, before, std::move(entry));
}

caf::result<caf::ok_atom> on_delete(self_ptr self, const delete_queue& req) {
  auto* q = self->state.find(req.account, req.queue_id);
  if (q == nullptr)
    return queue_not_found(req.queue_id);
  auto before = *q;
  // Unknown to new requests at once; the coordinator (and the messages it
  // holds) stays until the deletion is durable, so a failed write leaves the
  // queue exactly as it was.
  self->state.remove(req.account, req.queue_id);
  storage::meta_change c;
  c.erase_queues.push_back({req.account, req.queue_id});
  auto subscriptions = take_subscriptions_of_queue(self, req.queue_id, c);
  audit_details details;
  if (!before.consumers.empty())
    details.emplace_back("removed_consumer", before.consumers.front().id);
  std::string removed_subscriptions;
  for (const auto& s : subscriptions)
    removed_subscriptions += (removed_subscriptions.empty() ? "" : ",") + s.id;
  if (!removed_subscriptions.empty())
    details.emplace_back("removed_subscriptions", removed_subscriptions);
  auto rp = self->make_response_promise<caf::ok_atom>();
  submit_audited(self, std::move(c),
                 {audit_entry(self, before.account, req.caller, audit_action::delete_queue, "queue",
                              before.id, before.name, std::move(details))},
                 "could not delete the queue",
                 [self, before, subscriptions, rp](const caf::error& err) mutable {
                   if (err) {
                     self->state.put(before);
                     for (const auto& s : subscriptions) {
                       self->state.subscriptions[s.id] = s;
                       caf::anon_send(self->state.router, changed(self, s, false));
                     }
                     rp.deliver(err);
                     return;
                   }
                   stop_coordinator(self, before.id);
                   forget_redrive(self, before.id);
                   publish(self, before.account, queue_deleted(before));
                   rp.deliver(caf::ok_atom::value);
                 });
  return rp;
}

} // namespace sluice::hub_handlers
