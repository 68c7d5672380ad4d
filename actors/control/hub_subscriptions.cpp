// The hub's event-subscription handlers (docs/events.md): CRUD persisted in `meta`,
// every change told to the event router before it is answered.
#include <algorithm>

#include <caf/send.hpp>

#include "actors/control/crypto.hpp"
#include "actors/control/hub_handlers.hpp"
#include "actors/control/subscription_rules.hpp"
#include "actors/errc.hpp"
#include "actors/timeouts.hpp"

namespace sluice::hub_handlers {

using storage::subscription_record;

namespace {

caf::error not_found(const std::string& id) {
  return make_error(errc::subscription_not_found,
                    "event subscription '" + id + "' does not exist in this account");
}

subscription_record* find(self_ptr self, const std::string& account, const std::string& id) {
  auto i = self->state.subscriptions.find(id);
  return i == self->state.subscriptions.end() || i->second.account != account ? nullptr
                                                                              : &i->second;
}

/// Applies `patch` to `rec` (see `apply_subscription`) and checks that the
/// destination queue exists in the subscription's account.
caf::error apply(self_ptr self, const subscription_patch& patch, bool creating,
                 subscription_record& rec) {
  if (auto err = apply_subscription(*self->state.catalog, patch, creating, rec); !err.empty())
    return make_error(errc::invalid_request, err);
  if (self->state.find(rec.account, rec.queue_id) == nullptr)
    return make_error(errc::queue_not_found, "destination.queue_id: queue '" + rec.queue_id
                                                 + "' does not exist in this account");
  return {};
}

/// Persists `c` with `entry`, then tells the router (`removed` or the new
/// record), then answers with `rec`. On a failed write `undo` restores the
/// hub's state.
caf::result<subscription_record> commit(self_ptr self, storage::meta_change c,
                                        subscription_record rec, bool removed,
                                        storage::audit_record entry, std::function<void()> undo) {
  auto rp = self->make_response_promise<subscription_record>();
  submit_audited(self, std::move(c), {std::move(entry)}, "could not store the subscription",
                 [self, rec, removed, undo, rp](const caf::error& err) mutable {
                   if (err) {
                     undo();
                     rp.deliver(err);
                     return;
                   }
                   self->request(self->state.router, internal_request_timeout,
                                 changed(self, rec, removed))
                       .then([rp, rec](caf::ok_atom) mutable { rp.deliver(rec); },
                             [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
                 });
  return rp;
}

} // namespace

subscription_changed changed(self_ptr self, const subscription_record& rec, bool removed) {
  auto c = self->state.coordinators.find(rec.queue_id);
  caf::actor destination;
  if (c != self->state.coordinators.end())
    destination = caf::actor_cast<caf::actor>(c->second);
  return {rec, destination, removed};
}

void announce_subscriptions(self_ptr self) {
  for (const auto& [id, rec] : self->state.subscriptions)
    if (self->state.coordinators.count(rec.queue_id) > 0)
      caf::anon_send(self->state.router, changed(self, rec, false));
}

caf::result<subscription_record> on_create_subscription(self_ptr self,
                                                        const create_subscription& req) {
  auto& st = self->state;
  subscription_record rec;
  rec.account = req.account;
  if (auto err = apply(self, req.patch, true, rec))
    return err;
  rec.id = random_hex(16);
  rec.created_ms = rec.modified_ms = st.now_ms();
  st.subscriptions[rec.id] = rec;
  storage::meta_change c;
  c.put_subscriptions.push_back(rec);
  auto id = rec.id;
  auto entry = audit_entry(self, rec.account, req.caller, audit_action::create_subscription,
                           "subscription", rec.id, rec.name, details_of(rec));
  return commit(self, std::move(c), rec, false, std::move(entry),
                [self, id] { self->state.subscriptions.erase(id); });
}

caf::result<subscription_record> on_update_subscription(self_ptr self,
                                                        const update_subscription& req) {
  auto& st = self->state;
  auto* cur = find(self, req.account, req.id);
  if (cur == nullptr)
    return not_found(req.id);
  auto rec = *cur;
  if (auto err = apply(self, req.patch, false, rec))
    return err;
  rec.modified_ms = st.now_ms();
  auto before = *cur;
  *cur = rec;
  storage::meta_change c;
  c.put_subscriptions.push_back(rec);
  auto details = details_of(rec);
  mark_changed(details_of(before), details);
  auto entry = audit_entry(self, rec.account, req.caller, audit_action::update_subscription,
                           "subscription", rec.id, rec.name, std::move(details));
  return commit(self, std::move(c), rec, false, std::move(entry),
                [self, before] { self->state.subscriptions[before.id] = before; });
}

caf::result<subscription_record> on_get_subscription(self_ptr self, const get_subscription& req) {
  auto* cur = find(self, req.account, req.id);
  if (cur == nullptr)
    return not_found(req.id);
  return *cur;
}

caf::result<subscription_record> on_delete_subscription(self_ptr self,
                                                        const delete_subscription& req) {
  auto* cur = find(self, req.account, req.id);
  if (cur == nullptr)
    return not_found(req.id);
  auto before = *cur;
  self->state.subscriptions.erase(req.id);
  storage::meta_change c;
  c.erase_subscriptions.push_back({before.account, before.id});
  auto entry = audit_entry(self, before.account, req.caller, audit_action::delete_subscription,
                           "subscription", before.id, before.name, details_of(before));
  return commit(self, std::move(c), before, true, std::move(entry),
                [self, before] { self->state.subscriptions[before.id] = before; });
}

subscription_list on_list_subscriptions(self_ptr self, const list_subscriptions& req) {
  subscription_list out;
  for (const auto& [id, rec] : self->state.subscriptions)
    if (rec.account == req.account && (req.queue_id.empty() || rec.queue_id == req.queue_id))
      out.push_back(rec);
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
    return x.created_ms != y.created_ms ? x.created_ms < y.created_ms : x.id < y.id;
  });
  return out;
}

std::vector<subscription_record>
take_subscriptions_of_queue(self_ptr self, const std::string& queue_id, storage::meta_change& c) {
  std::vector<subscription_record> out;
  auto& subs = self->state.subscriptions;
  for (auto i = subs.begin(); i != subs.end();) {
    if (i->second.queue_id != queue_id) {
      ++i;
      continue;
    }
    c.erase_subscriptions.push_back({i->second.account, i->first});
    caf::anon_send(self->state.router, changed(self, i->second, true));
    out.push_back(std::move(i->second));
    i = subs.erase(i);
  }
  return out;
}

} // namespace sluice::hub_handlers
