#include <algorithm>

#include "actors/control/consumer_rules.hpp"
#include "actors/control/crypto.hpp"
#include "actors/control/hub_handlers.hpp"
#include "actors/errc.hpp"

namespace sluice::hub_handlers {

using storage::consumer_record;
using storage::queue_record;

namespace {

caf::error consumer_missing(const std::string& id) {
  return make_error(errc::consumer_not_found, "consumer '" + id + "' does not exist on this queue");
}

/// What the coordinator needs of consumer `c` of `q`: the record, its script
/// (worker consumers) and its dead-letter queue's coordinator.
consumer_changed changed_of(self_ptr self, const queue_record& q, const consumer_record& c) {
  consumer_changed msg;
  msg.consumer = c;
  if (auto* s = find_script(self, q.account, c.script_name);
      s != nullptr && c.type == storage::consumer_type::worker)
    msg.script = *s;
  auto& by_name = self->state.accounts[q.account].id_by_name;
  if (auto i = by_name.find(c.dead_letter_queue);
      !c.dead_letter_queue.empty() && i != by_name.end())
    if (auto d = self->state.coordinators.find(i->second); d != self->state.coordinators.end())
      msg.dlq = caf::actor_cast<caf::actor>(d->second);
  return msg;
}

/// The consumer `id` of `q`, or null.
consumer_record* find_consumer(queue_record& q, const std::string& id) {
  for (auto& c : q.consumers)
    if (c.id == id)
      return &c;
  return nullptr;
}

/// The lowest slot no consumer of `q` has (docs/architecture.md, "Fan-out").
uint16_t free_slot(const queue_record& q) {
  for (uint16_t slot = 0;; ++slot)
    if (std::none_of(q.consumers.begin(), q.consumers.end(),
                     [slot](const consumer_record& c) { return c.slot == slot; }))
      return slot;
}

} // namespace

void notify_consumer(self_ptr self, const queue_record& q) {
  auto c = self->state.coordinators.find(q.id);
  if (c == self->state.coordinators.end())
    return;
  if (q.settings.mode == storage::consumer_mode::multi) {
    consumer_set set;
    for (const auto& consumer : q.consumers)
      set.consumers.push_back(changed_of(self, q, consumer));
    self->send(c->second, std::move(set));
    return;
  }
  consumer_changed msg;
  if (!q.consumers.empty())
    msg = changed_of(self, q, q.consumers.front());
  self->send(c->second, std::move(msg));
}

caf::result<consumer_record> on_put_consumer(self_ptr self, const put_consumer& req) {
  auto& st = self->state;
  auto* q = st.find(req.account, req.queue_id);
  if (q == nullptr)
    return queue_not_found(req.queue_id);
  consumer_record rec;
  if (req.consumer_id.empty()) {
    if (!q->consumers.empty() && q->settings.mode != storage::consumer_mode::multi)
      return make_error(errc::consumer_exists,
                        "queue '" + q->name + "' already has a consumer (" + q->consumers.front().id
                            + "); remove it before adding another, or let the queue fan out to "
                              "several (settings.consumer_mode \"multi\")");
    rec.id = random_hex(16);
    rec.created_ms = st.now_ms();
    rec.slot = free_slot(*q);
  } else {
    auto* found = find_consumer(*q, req.consumer_id);
    if (found == nullptr)
      return consumer_missing(req.consumer_id);
    rec = *found;
  }
  if (auto err = apply_consumer(req.body, !req.consumer_id.empty(), rec); !err.empty())
    return make_error(errc::invalid_request, err);
  if (rec.type == storage::consumer_type::worker
      && find_script(self, req.account, rec.script_name) == nullptr)
    return make_error(errc::script_not_found,
                      "script_name: script '" + rec.script_name
                          + "' is not deployed in this account; deploy it first (sluice scripts "
                            "deploy "
                          + rec.script_name + " --plugin <plugin>)");
  if (rec.dead_letter_queue == q->name)
    return make_error(errc::invalid_request,
                      "dead_letter_queue: a queue cannot be its own dead-letter queue");

  auto before = *q;
  storage::meta_change c;
  std::vector<storage::audit_record> audit;
  caf::optional<queue_record> created_dlq;
  auto& by_name = st.accounts[req.account].id_by_name;
  if (!rec.dead_letter_queue.empty() && by_name.count(rec.dead_letter_queue) == 0) {
    // docs/api.md: a dead-letter queue named but missing is created.
    queue_record d;
    d.account = req.account;
    d.id = random_hex(16);
    d.name = rec.dead_letter_queue;
    d.created_ms = d.modified_ms = st.now_ms();
    c.put_queues.push_back(d);
    st.put(d);
    created_dlq = d;
    auto details = details_of(d.settings);
    details.emplace_back("dead_letter_queue_of", q->name);
    audit.push_back(audit_entry(self, d.account, req.caller, audit_action::create_queue, "queue",
                                d.id, d.name, std::move(details)));
  }
  c.put_consumers.push_back({req.account, req.queue_id, rec});
  auto details = details_of(rec);
  if (!req.consumer_id.empty())
    mark_changed(details_of(*find_consumer(before, req.consumer_id)), details);
  details.emplace_back("queue_id", before.id);
  audit.push_back(audit_entry(self, req.account, req.caller,
                              req.consumer_id.empty() ? audit_action::attach_consumer
                                                      : audit_action::update_consumer,
                              "consumer", rec.id, before.name, std::move(details)));
  // Adding the DLQ may have rehashed the index: look the queue up again.
  auto* now = st.find(req.account, req.queue_id);
  if (auto* old = find_consumer(*now, rec.id))
    *old = rec;
  else
    now->consumers.push_back(rec);
  auto rp = self->make_response_promise<consumer_record>();
  submit_audited(self, std::move(c), std::move(audit), "could not store the consumer",
                 [self, before, created_dlq, rec, rp](const caf::error& err) mutable {
                   auto& s = self->state;
                   if (err) {
                     s.put(before);
                     if (created_dlq)
                       s.remove(created_dlq->account, created_dlq->id);
                     rp.deliver(err);
                     return;
                   }
                   if (created_dlq)
                     spawn_coordinator(self, *created_dlq);
                   if (auto* cur = s.find(before.account, before.id))
                     notify_consumer(self, *cur);
                   rp.deliver(rec);
                 });
  return rp;
}

caf::result<caf::ok_atom> on_delete_consumer(self_ptr self, const delete_consumer& req) {
  auto* q = self->state.find(req.account, req.queue_id);
  if (q == nullptr)
    return queue_not_found(req.queue_id);
  auto* gone = find_consumer(*q, req.consumer_id);
  if (gone == nullptr)
    return consumer_missing(req.consumer_id);
  auto before = *q;
  auto removed = *gone;
  q->consumers.erase(q->consumers.begin() + (gone - q->consumers.data()));
  storage::meta_change c;
  c.erase_consumers.push_back({req.account, req.queue_id, removed.slot});
  auto details = details_of(removed);
  details.emplace_back("queue_id", before.id);
  auto rp = self->make_response_promise<caf::ok_atom>();
  submit_audited(self, std::move(c),
                 {audit_entry(self, req.account, req.caller, audit_action::remove_consumer,
                              "consumer", req.consumer_id, before.name, std::move(details))},
                 "could not remove the consumer",
                 [self, before, rp](const caf::error& err) mutable {
                   if (err) {
                     self->state.put(before);
                     rp.deliver(err);
                     return;
                   }
                   if (auto* cur = self->state.find(before.account, before.id))
                     notify_consumer(self, *cur);
                   rp.deliver(caf::ok_atom::value);
                 });
  return rp;
}

} // namespace sluice::hub_handlers
