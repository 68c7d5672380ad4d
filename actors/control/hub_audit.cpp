// The hub's audit log (docs/audit.md): every control-plane change writes its
// entry in the batch that makes the change, so a change and its record are
// durable together or not at all.
#include "actors/control/audit_line.hpp"
#include "actors/control/hub_handlers.hpp"
#include "actors/timeouts.hpp"

namespace sluice::hub_handlers {

storage::audit_record audit_entry(self_ptr self, const std::string& account,
                                  const std::string& caller, std::string_view action,
                                  std::string_view resource_type, std::string resource_id,
                                  std::string resource_name, audit_details details) {
  storage::audit_record rec;
  rec.time_ms = self->state.now_ms();
  rec.account = account;
  rec.caller = caller;
  rec.action = std::string{action};
  rec.resource_type = std::string{resource_type};
  rec.resource_id = std::move(resource_id);
  rec.resource_name = std::move(resource_name);
  rec.details = std::move(details);
  return rec;
}

void submit_audited(self_ptr self, storage::meta_change change,
                    std::vector<storage::audit_record> entries, std::string what,
                    persister::continuation then) {
  std::vector<audit_receipt> receipts;
  for (auto& e : entries)
    receipts.push_back(self->state.audit.add(e, change));
  auto k = [self, entries = std::move(entries), receipts = std::move(receipts),
            then = std::move(then)](const caf::error& err) {
    auto& log = self->state.audit;
    // Newest first on failure, so each rollback sees the state its add left.
    if (err) {
      for (auto r = receipts.rbegin(); r != receipts.rend(); ++r)
        log.rollback(*r);
    } else {
      for (const auto& r : receipts)
        log.commit(r);
      for (const auto& e : entries)
        log_audit(e);
    }
    then(err);
  };
  self->state.env.stores->meta().apply(
      std::move(change), self->state.persist.then(caf::actor_cast<caf::actor>(self), "meta",
                                                  std::move(what), std::move(k)));
}

caf::result<purge_status> on_purge(self_ptr self, const purge_queue& req) {
  auto c = coordinator_of(self, req.account, req.queue_id);
  if (!c)
    return c.error();
  // Recorded when accepted, before the shards delete: a purge cannot be
  // undone, so its entry must not depend on the deletion finishing.
  const auto& q = *self->state.find(req.account, req.queue_id);
  auto rp = self->make_response_promise<purge_status>();
  submit_audited(self, {},
                 {audit_entry(self, req.account, req.caller, audit_action::purge_queue, "queue",
                              q.id, q.name, {})},
                 "could not record the purge",
                 [self, coordinator = *c, req, rp](const caf::error& err) mutable {
                   if (err) {
                     rp.deliver(err);
                     return;
                   }
                   self->request(coordinator, internal_request_timeout, req)
                       .then([rp](purge_status& s) mutable { rp.deliver(std::move(s)); },
                             [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
                 });
  return rp;
}

} // namespace sluice::hub_handlers
