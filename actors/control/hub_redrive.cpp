// Redrive tasks (docs/api.md, "Redrive"): the hub keeps each queue's last task,
// persists it with an audit entry when it starts or is cancelled and after
// every batch it reports, and runs one `redrive_task` actor per running task
// (resumed at start).
#include <caf/send.hpp>

#include "actors/control/crypto.hpp"
#include "actors/control/hub_handlers.hpp"
#include "actors/errc.hpp"
#include "actors/queue/redrive_task.hpp"
#include "actors/timeouts.hpp"

namespace sluice::hub_handlers {

using storage::redrive_record;
using storage::redrive_state;

namespace {

/// Largest `max_messages_per_second` (SQS's MaxNumberOfMessagesPerSecond).
constexpr int64_t max_redrive_rate = 500;

/// True if a consumer of `account` names queue `name` as its dead-letter queue.
bool is_dead_letter_queue(const hub_state& st, const std::string& account,
                          const std::string& name) {
  auto a = st.accounts.find(account);
  if (a == st.accounts.end())
    return false;
  for (const auto& [id, q] : a->second.by_id)
    for (const auto& c : q.consumers)
      if (c.dead_letter_queue == name)
        return true;
  return false;
}

audit_details details_of(const redrive_record& r) {
  audit_details d{{"task_id", r.id}};
  d.emplace_back("destination_queue_id",
                 r.destination_queue_id.empty() ? "origin" : r.destination_queue_id);
  d.emplace_back("max_messages_per_second",
                 r.max_per_second == 0 ? "unlimited" : std::to_string(r.max_per_second));
  d.emplace_back("messages_to_move", std::to_string(r.to_move));
  return d;
}

/// Writes `r` (no audit entry: progress); a failure is logged and counted.
void persist_progress(self_ptr self, const redrive_record& r) {
  storage::meta_change c;
  c.put_redrives.push_back(r);
  self->state.env.stores->meta().apply(
      std::move(c), self->state.persist.then(caf::actor_cast<caf::actor>(self), "meta",
                                             "could not store the redrive task's progress",
                                             [](const caf::error&) {}));
}

/// The checks of a start that need nothing but the hub's indexes; "" if fine.
caf::error check_start(self_ptr self, const start_redrive& req, redrive_record& rec) {
  auto& st = self->state;
  auto* q = st.find(req.account, req.queue_id);
  if (q == nullptr)
    return queue_not_found(req.queue_id);
  if (req.max_messages_per_second) {
    auto r = *req.max_messages_per_second;
    if (r < 1 || r > max_redrive_rate)
      return make_error(errc::invalid_request,
                        "max_messages_per_second must be an integer between 1 and "
                            + std::to_string(max_redrive_rate) + ", got " + std::to_string(r)
                            + "; omit it for no limit");
    rec.max_per_second = static_cast<uint32_t>(r);
  }
  if (req.destination_queue_id) {
    const auto& dest = *req.destination_queue_id;
    if (dest.empty())
      return make_error(errc::invalid_request,
                        "destination_queue_id must be a queue id; omit it to move each message "
                        "back to the queue it was dead-lettered from");
    if (dest == req.queue_id)
      return make_error(errc::invalid_request,
                        "destination_queue_id must name another queue than the source '" + q->name
                            + "'");
    if (st.find(req.account, dest) == nullptr)
      return make_error(errc::queue_not_found, "destination_queue_id: queue '" + dest
                                                   + "' does not exist in this account");
    rec.destination_queue_id = dest;
  } else if (!is_dead_letter_queue(st, req.account, q->name)) {
    return make_error(errc::invalid_request,
                      "queue '" + q->name
                          + "' is not the dead-letter queue of any consumer, so its messages "
                            "have no queue to go back to; name destination_queue_id");
  }
  if (auto i = st.redrives.find(req.queue_id);
      i != st.redrives.end() && i->second.state == redrive_state::running)
    return make_error(errc::redrive_running,
                      "a redrive task (" + i->second.id + ") is already running on queue '"
                          + q->name + "' (moved " + std::to_string(i->second.moved) + " of "
                          + std::to_string(i->second.to_move)
                          + "); cancel it (DELETE .../redrive) or wait for it to end");
  rec.account = req.account;
  rec.source_queue_id = req.queue_id;
  return {};
}

} // namespace

void spawn_redrive(self_ptr self, const redrive_record& rec) {
  auto& st = self->state;
  auto c = st.coordinators.find(rec.source_queue_id);
  if (c == st.coordinators.end())
    return;
  redrive_task_config cfg{rec, c->second, st.queues_directory, caf::actor_cast<hub_actor>(self)};
  st.redrive_tasks[rec.source_queue_id] = self->spawn<caf::linked>(redrive_task, std::move(cfg));
}

void resume_redrives(self_ptr self, std::vector<redrive_record> recovered) {
  auto& st = self->state;
  for (auto& r : recovered) {
    if (st.find(r.account, r.source_queue_id) == nullptr)
      continue;
    auto& rec = st.redrives[r.source_queue_id] = std::move(r);
    if (rec.state == redrive_state::running)
      spawn_redrive(self, rec); // from the count persisted last (at least once)
  }
}

void forget_redrive(self_ptr self, const std::string& queue_id) {
  auto& st = self->state;
  st.redrives.erase(queue_id);
  if (auto t = st.redrive_tasks.find(queue_id); t != st.redrive_tasks.end()) {
    self->send(t->second, redrive_stop{}); // its last report finds no record
    st.redrive_tasks.erase(t);
  }
}

caf::result<redrive_record> on_start_redrive(self_ptr self, const start_redrive& req) {
  redrive_record rec;
  if (auto err = check_start(self, req, rec))
    return err;
  auto& st = self->state;
  rec.id = random_hex(16);
  rec.started_ms = st.now_ms();
  // Holds the queue's slot while the backlog is read and the start is written.
  auto before = st.redrives.find(req.queue_id) == st.redrives.end()
                    ? caf::optional<redrive_record>{}
                    : caf::optional<redrive_record>{st.redrives[req.queue_id]};
  st.redrives[req.queue_id] = rec;
  auto restore = [self, before, id = req.queue_id] {
    if (before)
      self->state.redrives[id] = *before;
    else
      self->state.redrives.erase(id);
  };
  auto rp = self->make_response_promise<redrive_record>();
  self->request(st.coordinators.at(req.queue_id), internal_request_timeout,
                get_stats{req.account, req.queue_id})
      .then(
          [self, req, rec, restore, rp](const queue_stats& s) mutable {
            auto* q = self->state.find(req.account, req.queue_id);
            if (q == nullptr) {
              restore();
              rp.deliver(queue_not_found(req.queue_id));
              return;
            }
            // SQS's ApproximateNumberOfMessagesToMove: the backlog now.
            rec.to_move = s.backlog_count;
            if (rec.to_move == 0) {
              rec.state = redrive_state::completed;
              rec.finished_ms = rec.started_ms;
            }
            self->state.redrives[req.queue_id] = rec;
            storage::meta_change c;
            c.put_redrives.push_back(rec);
            auto entry = audit_entry(self, req.account, req.caller, audit_action::start_redrive,
                                     "queue", q->id, q->name, details_of(rec));
            submit_audited(self, std::move(c), {std::move(entry)},
                           "could not store the redrive task",
                           [self, rec, restore, rp](const caf::error& err) mutable {
                             if (err) {
                               restore();
                               rp.deliver(err);
                               return;
                             }
                             if (rec.state == redrive_state::running)
                               spawn_redrive(self, rec);
                             rp.deliver(rec);
                           });
          },
          [restore, rp](caf::error& e) mutable {
            restore();
            rp.deliver(std::move(e));
          });
  return rp;
}

caf::result<redrive_record> on_get_redrive(self_ptr self, const get_redrive& req) {
  auto& st = self->state;
  auto* q = st.find(req.account, req.queue_id);
  if (q == nullptr)
    return queue_not_found(req.queue_id);
  auto i = st.redrives.find(req.queue_id);
  if (i == st.redrives.end())
    return make_error(errc::redrive_not_found, "queue '" + q->name
                                                   + "' has no redrive task; start one with "
                                                     "POST .../queues/"
                                                   + q->id + "/redrive");
  return i->second;
}

caf::result<redrive_record> on_cancel_redrive(self_ptr self, const cancel_redrive& req) {
  auto& st = self->state;
  auto* q = st.find(req.account, req.queue_id);
  if (q == nullptr)
    return queue_not_found(req.queue_id);
  auto i = st.redrives.find(req.queue_id);
  if (i == st.redrives.end() || i->second.state != redrive_state::running
      || st.redrive_tasks.count(req.queue_id) == 0)
    return make_error(errc::redrive_not_found,
                      "no redrive task is running on queue '" + q->name + "'"
                          + (i == st.redrives.end()
                                 ? std::string{}
                                 : " (the last one is "
                                       + std::string{redrive_state_name(i->second.state)} + ")"));
  auto before = i->second;
  i->second.state = redrive_state::cancelled;
  i->second.finished_ms = st.now_ms();
  auto rec = i->second;
  storage::meta_change c;
  c.put_redrives.push_back(rec);
  auto details = audit_details{{"task_id", rec.id}, {"messages_moved", std::to_string(rec.moved)}};
  auto entry = audit_entry(self, req.account, req.caller, audit_action::cancel_redrive, "queue",
                           q->id, q->name, std::move(details));
  auto rp = self->make_response_promise<redrive_record>();
  submit_audited(self, std::move(c), {std::move(entry)}, "could not cancel the redrive task",
                 [self, before, rec, rp](const caf::error& err) mutable {
                   auto& s = self->state;
                   auto r = s.redrives.find(rec.source_queue_id);
                   if (err) {
                     if (r != s.redrives.end() && r->second.id == before.id)
                       r->second.state = before.state;
                     rp.deliver(err);
                     return;
                   }
                   if (auto t = s.redrive_tasks.find(rec.source_queue_id);
                       t != s.redrive_tasks.end())
                     self->send(t->second, redrive_stop{});
                   rp.deliver(r != s.redrives.end() ? r->second : rec);
                 });
  return rp;
}

void on_redrive_progress(self_ptr self, const redrive_progress& msg) {
  auto& st = self->state;
  auto i = st.redrives.find(msg.queue_id);
  if (i == st.redrives.end() || i->second.id != msg.task_id)
    return; // a cancelled task's last batch, after a new task started
  if (msg.state != redrive_state::running)
    st.redrive_tasks.erase(msg.queue_id);
  if (st.find(msg.account, msg.queue_id) == nullptr) {
    st.redrives.erase(i); // the queue was deleted, and its task's record with it
    return;
  }
  auto& rec = i->second;
  rec.moved = msg.moved;
  if (rec.state == redrive_state::running && msg.state != redrive_state::running) {
    rec.state = msg.state;
    rec.finished_ms = st.now_ms();
    rec.failure_reason = msg.failure_reason;
  }
  persist_progress(self, rec);
}

} // namespace sluice::hub_handlers
