#include "actors/queue/coordinator.hpp"

#include <algorithm>
#include <memory>

#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/errc.hpp"
#include "actors/push/push_consumer.hpp"
#include "actors/queue/message_rules.hpp"
#include "actors/queue/queue_events.hpp"
#include "actors/queue/shard_dedup.hpp"
#include "actors/timeouts.hpp"

namespace sluice {

queue_stats coordinator_state::stats() const {
  queue_stats out;
  for (const auto& slot : shards) {
    const auto& s = slot.stats;
    out.backlog_count += s.backlog_count;
    out.backlog_bytes += s.backlog_bytes;
    out.ready_count += s.ready_count;
    out.delayed_count += s.delayed_count;
    out.in_flight_count += s.in_flight_count;
    if (s.oldest_message_timestamp_ms != 0
        && (out.oldest_message_timestamp_ms == 0
            || s.oldest_message_timestamp_ms < out.oldest_message_timestamp_ms))
      out.oldest_message_timestamp_ms = s.oldest_message_timestamp_ms;
  }
  return out;
}

delivery_settings coordinator_state::settings() const {
  delivery_settings s;
  s.retention_s = queue.settings.message_retention_period;
  if (consumer) {
    s.max_retries = consumer->max_retries;
    s.retry_delay_s = consumer->retry_delay;
  }
  s.dead_letter = static_cast<bool>(dead_letter_queue);
  return s;
}

namespace {

using self_ptr = coordinator_actor::stateful_pointer<coordinator_state>;

/// Wakes a waiting push consumer once something is ready.
void wake_push(self_ptr self) {
  auto& st = self->state;
  if (!st.push_waiting || !st.push || st.queue.settings.delivery_paused
      || st.stats().ready_count == 0)
    return;
  st.push_waiting = false;
  self->send(st.push, messages_ready{});
}

void serve_waiters(self_ptr self);

/// Called after every change of the shards' stats: publishes the gauges,
/// wakes a waiting push consumer and serves waiting pulls.
void stats_changed(self_ptr self) {
  auto& st = self->state;
  if (st.parent) {
    self->send(st.parent, slot_stats{st.slot_number, st.stats()}); // it publishes the gauges
  } else if (st.metrics) {
    if (fans_out(st)) {
      publish_fanout_metrics(self);
    } else {
      auto s = st.stats();
      st.metrics->set_backlog(s.backlog_count, s.backlog_bytes, s.oldest_message_timestamp_ms,
                              s.delayed_count, s.in_flight_count);
    }
  }
  wake_push(self);
  serve_waiters(self);
}

/// Starts, updates or stops the push consumer to match the queue's consumer:
/// a worker consumer whose script is known, when plugins can run.
void sync_push(self_ptr self) {
  auto& st = self->state;
  bool wanted =
      st.consumer && st.consumer->type == storage::consumer_type::worker && st.script && st.plugins;
  if (!wanted) {
    if (st.push)
      self->send(st.push, push_stop{}); // finishes the batches in flight, then quits
    // A fan-out slot that never had a worker leaves the queue's gauge to the others.
    if (st.metrics && (!st.parent || st.push))
      st.metrics->set_concurrency(0, 0);
    st.push = nullptr;
    st.push_waiting = false;
    return;
  }
  push_settings ps{st.queue.name, *st.consumer, *st.script, st.queue.settings.delivery_paused};
  if (st.push) {
    self->send(st.push, std::move(ps));
    wake_push(self);
    return;
  }
  // Linked: it ends with the queue.
  st.push = self->spawn<caf::linked>(
      push_consumer, push_consumer_config{self, st.plugins, std::move(ps), st.metrics});
}

caf::result<sent_messages> on_send(self_ptr self, send_messages& req) {
  auto& st = self->state;
  shard_append append;
  if (auto err = to_append_items(req, st.queue.settings.delivery_delay, st.now_ms(), append.items);
      !err.empty())
    return make_error(errc::invalid_request, err);
  // One shard takes the whole batch: one atomic write, all or nothing. A
  // batch with dedup ids goes to the shard its first one picks, which checks
  // them all (docs/api.md, "Deduplicated sends").
  append.dedup_window_ms = int64_t{st.queue.settings.dedup_window_seconds} * 1000;
  auto idx = st.next_shard++ % st.shards.size();
  if (wants_dedup(append))
    for (const auto& item : append.items)
      if (!item.dedup_id.empty()) {
        idx = dedup_shard(item.dedup_id, st.shards.size());
        break;
      }
  auto rp = self->make_response_promise<sent_messages>();
  self->request(st.shards[idx].actor, data_path_wait, std::move(append))
      .then(
          [self, idx, rp](sent_messages& s) mutable {
            self->state.shards[idx].stats = s.stats;
            ++self->state.stats_epoch;
            rp.deliver(sent_messages{self->state.stats(), std::move(s.ids)});
            stats_changed(self);
          },
          [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
  return rp;
}

/// Answers `rp` with what a `gather` found.
auto deliver_to(caf::typed_response_promise<pulled_batch> rp) {
  return [rp](caf::expected<pulled_batch> found) mutable {
    if (found)
      rp.deliver(std::move(*found));
    else
      rp.deliver(std::move(found.error()));
  };
}

/// Asks shard after shard (round robin from `idx`) with `make(n)` — a lease
/// or a peek of up to n messages — until `want` are found or every shard was
/// asked, then calls `done` with everything found (or the first error).
template <class Make, class Done>
void gather(self_ptr self, size_t idx, size_t asked, int64_t want, Make make,
            std::shared_ptr<pulled_batch> acc, Done done) {
  auto& st = self->state;
  if (want <= 0 || asked == st.shards.size()) {
    acc->stats = st.stats();
    done(std::move(*acc));
    stats_changed(self);
    return;
  }
  auto i = idx % st.shards.size();
  self->request(st.shards[i].actor, data_path_wait, make(static_cast<uint32_t>(want)))
      .then(
          [=](pulled_batch& b) mutable {
            self->state.shards[i].stats = b.stats;
            auto got = static_cast<int64_t>(b.messages.size());
            for (auto& m : b.messages)
              acc->messages.push_back(std::move(m));
            gather(self, idx + 1, asked + 1, want - got, make, acc, done);
          },
          [done](caf::error& e) mutable { done(std::move(e)); });
}

/// Answers the waiting pull at `i` (its time is up, or an error) and forgets it.
void answer_waiter(self_ptr self, std::deque<waiting_pull>::iterator i,
                   caf::expected<pulled_batch> found) {
  deliver_to(i->rp)(std::move(found));
  self->state.waiting_pulls.erase(i);
}

pulled_batch nothing(const coordinator_state& st) {
  pulled_batch none;
  none.stats = st.stats();
  return none;
}

/// Serves the oldest waiting pull when something may be ready: it leases
/// what it finds and is answered, or finds nothing and waits on. One at a
/// time, and a pull that found nothing is asked again only after a new
/// report (`stats_epoch`): no loop, nothing polls.
void serve_waiters(self_ptr self) {
  auto& st = self->state;
  while (!st.serving_waiter && !st.waiting_pulls.empty()) {
    auto& w = st.waiting_pulls.front();
    if (w.over) {
      answer_waiter(self, st.waiting_pulls.begin(), nothing(st));
      continue;
    }
    if (w.tried && (w.tried_epoch == st.stats_epoch || st.stats().ready_count == 0))
      return;
    w.tried = true;
    w.tried_epoch = st.stats_epoch;
    st.serving_waiter = true;
    auto lease = [visibility = w.visibility_ms](uint32_t n) {
      return shard_lease{n, visibility, false};
    };
    gather(self, st.next_shard++, 0, w.batch, lease, std::make_shared<pulled_batch>(),
           [self](caf::expected<pulled_batch> found) {
             auto& s = self->state;
             s.serving_waiter = false;
             auto front = s.waiting_pulls.begin(); // only this function removes the front
             if (!found || !found->messages.empty() || front->over)
               answer_waiter(self, front, std::move(found));
           });
    return; // the answer calls stats_changed, which comes back here
  }
}

/// The wait of pull `id` is over: answered now with nothing, or, if the
/// shards are being asked for it, with whatever that finds.
void on_wait_over(self_ptr self, uint64_t id) {
  auto& st = self->state;
  auto i = std::find_if(st.waiting_pulls.begin(), st.waiting_pulls.end(),
                        [id](const waiting_pull& w) { return w.id == id; });
  if (i == st.waiting_pulls.end())
    return; // answered already
  if (st.serving_waiter && i == st.waiting_pulls.begin())
    i->over = true;
  else
    answer_waiter(self, i, nothing(st));
}

/// Answers every waiting pull with `answer` (nothing on a drain, an error on a
/// pause or the queue's end). With `keep_served`, one being served now gets
/// what it finds instead, as when its time is up.
void answer_waiters(self_ptr self, const caf::expected<pulled_batch>& answer, bool keep_served) {
  auto& st = self->state;
  auto i = st.waiting_pulls.begin();
  if (keep_served && st.serving_waiter && i != st.waiting_pulls.end())
    (i++)->over = true;
  while (i != st.waiting_pulls.end()) {
    deliver_to(i->rp)(answer);
    i = st.waiting_pulls.erase(i);
  }
}

caf::error paused_error(const coordinator_state& st) {
  return make_error(errc::queue_paused,
                    "queue_delivery_paused: delivery is paused for queue '" + st.queue.name
                        + "'; resume it (wrangler queues resume-delivery) to pull");
}

caf::result<pulled_batch> on_pull(self_ptr self, const pull_messages& req) {
  auto& st = self->state;
  if (st.queue.settings.delivery_paused)
    return paused_error(st);
  int64_t batch = 0;
  int64_t visibility = 0;
  int64_t wait = 0;
  auto with_defaults = req;
  if (st.consumer) {
    if (!with_defaults.batch_size)
      with_defaults.batch_size = int64_t{st.consumer->batch_size};
    if (!with_defaults.visibility_timeout_ms)
      with_defaults.visibility_timeout_ms = int64_t{st.consumer->visibility_timeout_ms};
  }
  if (auto err = resolve_pull(with_defaults, batch, visibility, wait); !err.empty())
    return make_error(errc::invalid_request, err);
  auto rp = self->make_response_promise<pulled_batch>();
  if (wait > 0) {
    // A long poll: it waits in line and is served when something is ready.
    auto id = ++st.next_wait_id;
    st.waiting_pulls.push_back(waiting_pull{id, batch, visibility, rp});
    self->delayed_send(self, std::chrono::milliseconds(wait), pull_wait_over{id});
    serve_waiters(self);
    return rp;
  }
  auto lease = [visibility](uint32_t n) { return shard_lease{n, visibility, false}; };
  gather(self, st.next_shard++, 0, batch, lease, std::make_shared<pulled_batch>(), deliver_to(rp));
  return rp;
}

/// Leases a batch for the push consumer; nothing while paused.
caf::result<pulled_batch> on_push_lease(self_ptr self, const push_lease& req) {
  auto& st = self->state;
  if (st.queue.settings.delivery_paused || req.n == 0) {
    pulled_batch none;
    none.stats = st.stats();
    return none;
  }
  auto rp = self->make_response_promise<pulled_batch>();
  auto lease = [visibility = req.visibility_ms](uint32_t n) {
    return shard_lease{n, visibility, true};
  };
  gather(self, st.next_shard++, 0, req.n, lease, std::make_shared<pulled_batch>(), deliver_to(rp));
  return rp;
}

/// Takes messages for a redrive task, paused or not (docs/api.md, "Redrive").
caf::result<pulled_batch> on_redrive_take(self_ptr self, const redrive_take& req) {
  auto rp = self->make_response_promise<pulled_batch>();
  auto take = [visibility = req.visibility_ms](uint32_t n) { return shard_take{n, visibility}; };
  gather(self, self->state.next_shard++, 0, req.n, take, std::make_shared<pulled_batch>(),
         deliver_to(rp));
  return rp;
}

caf::result<pulled_batch> on_peek(self_ptr self, const peek_messages& req) {
  auto n = req.batch_size ? *req.batch_size : default_pull_batch;
  if (n < 1 || n > max_pull_batch)
    return make_error(errc::invalid_request, "batch_size must be between 1 and "
                                                 + std::to_string(max_pull_batch) + ", got "
                                                 + std::to_string(n));
  auto rp = self->make_response_promise<pulled_batch>();
  auto peek = [](uint32_t k) { return shard_peek{k}; };
  gather(self, 0, 0, n, peek, std::make_shared<pulled_batch>(), deliver_to(rp));
  return rp;
}

caf::result<purge_status> on_purge(self_ptr self) {
  auto& st = self->state;
  st.last_purge = purge_status{false, st.now_ms()};
  auto slots = live_slots(st); // a fan-out queue's other copies
  auto pending = std::make_shared<size_t>(st.shards.size() + slots.size());
  auto rp = self->make_response_promise<purge_status>();
  auto finish = [self, pending, rp](caf::error err) mutable {
    if (*pending == SIZE_MAX)
      return; // answered already, with the first error
    if (err) {
      *pending = SIZE_MAX;
      rp.deliver(std::move(err));
    } else if (--*pending == 0) {
      self->state.last_purge.completed = true;
      rp.deliver(self->state.last_purge);
      stats_changed(self);
    }
  };
  purge_slots(self, slots, finish);
  for (size_t i = 0; i < st.shards.size(); ++i)
    self->request(st.shards[i].actor, internal_request_timeout, shard_purge{})
        .then(
            [self, i, finish](queue_stats& s) mutable {
              self->state.shards[i].stats = s;
              finish({});
            },
            [finish](caf::error& e) mutable { finish(std::move(e)); });
  return rp;
}

/// Acks, retries (`ack_messages`) and deletions by peek ref (`delete_refs`)
/// share one path: verify each id under `binding`, group by shard, fan out.
caf::result<ack_result> settle(self_ptr self, const std::string& binding,
                               const std::vector<std::string>& acks,
                               const std::vector<retry_item>& retries,
                               const std::string& failure = {}) {
  auto& st = self->state;
  auto acc = std::make_shared<ack_result>();
  std::vector<shard_ack> per_shard(st.shards.size());
  auto route = [&](const std::string& lease_id, int64_t delay, bool retry) {
    lease_target t;
    if (!st.leases->decode(binding, lease_id, t)) {
      acc->warnings.emplace(lease_id, "not issued by this queue (forged, or for another "
                                      "queue); it was ignored");
      return;
    }
    auto i = static_cast<size_t>(t.shard) - st.shard_base(); // wraps when below the base
    if (t.shard < st.shard_base() || i >= st.shards.size()) {
      acc->warnings.emplace(lease_id, "issued to another consumer of this queue (name that "
                                      "consumer's consumer_id); it was ignored");
      return;
    }
    lease_ref r{t.seq, lease_id, delay};
    (retry ? per_shard[i].retries : per_shard[i].acks).push_back(std::move(r));
  };
  for (const auto& id : acks)
    route(id, -1, false);
  for (const auto& r : retries) {
    if (auto err = check_delay("retries[].delay_seconds", r.delay_seconds); !err.empty())
      return make_error(errc::invalid_request, err);
    route(r.lease_id, r.delay_seconds ? *r.delay_seconds : -1, true);
  }
  auto pending = std::make_shared<size_t>(0);
  for (auto& a : per_shard)
    if (!a.acks.empty() || !a.retries.empty()) {
      ++*pending;
      if (!a.retries.empty())
        a.failure = failure;
    }
  if (*pending == 0) {
    acc->stats = st.stats();
    return *acc;
  }
  auto rp = self->make_response_promise<ack_result>();
  for (size_t i = 0; i < per_shard.size(); ++i) {
    if (per_shard[i].acks.empty() && per_shard[i].retries.empty())
      continue;
    self->request(st.shards[i].actor, data_path_wait, std::move(per_shard[i]))
        .then(
            [self, acc, pending, rp](ack_result& r) mutable {
              acc->ack_count += r.ack_count;
              acc->retry_count += r.retry_count;
              acc->warnings.merge(r.warnings);
              if (--*pending == 0) {
                // Each shard reported its stats before answering: they are current.
                acc->stats = self->state.stats();
                rp.deliver(std::move(*acc));
              }
            },
            [pending, rp](caf::error& e) mutable {
              *pending = SIZE_MAX; // answer once, with the first error
              rp.deliver(std::move(e));
            });
  }
  return rp;
}

/// Appends to one shard (round robin) and acknowledges once synced.
caf::result<caf::ok_atom> store(self_ptr self, std::vector<append_item> items) {
  auto& st = self->state;
  auto idx = st.next_shard++ % st.shards.size();
  auto rp = self->make_response_promise<caf::ok_atom>();
  self->request(st.shards[idx].actor, data_path_wait, shard_append{std::move(items)})
      .then(
          [self, idx, rp](sent_messages& s) mutable {
            self->state.shards[idx].stats = s.stats;
            ++self->state.stats_epoch;
            rp.deliver(caf::ok_atom::value);
            stats_changed(self);
          },
          [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
  return rp;
}

/// One `queues` message.dead_lettered event per moved message (its id and
/// attempts); nobody waits.
void announce_dead_letters(self_ptr self,
                           const std::vector<std::pair<std::string, uint32_t>>& moved) {
  auto& st = self->state;
  if (!st.events || moved.empty())
    return;
  publish_events msg{st.queue.account, {}};
  auto dlq = st.consumer ? st.consumer->dead_letter_queue : std::string{};
  for (const auto& [id, attempts] : moved)
    msg.events.push_back(message_dead_lettered(st.queue, dlq, id, attempts));
  caf::anon_send(st.events, std::move(msg));
}

caf::result<caf::ok_atom> on_dead_letters(self_ptr self, dead_letters& req) {
  auto& st = self->state;
  if (!st.dead_letter_queue)
    return make_error(errc::queue_not_found,
                      "queue '" + st.queue.name + "' has no dead-letter queue any more");
  std::vector<std::pair<std::string, uint32_t>> moved;
  for (auto& item : req.items) {
    if (item.dead_letter) {
      item.dead_letter->queue_name = st.queue.name;
      item.dead_letter->consumer_id = st.consumer ? st.consumer->id : std::string{};
    }
    moved.emplace_back(item.id, item.dead_letter ? item.dead_letter->attempts : 0);
  }
  auto rp = self->make_response_promise<caf::ok_atom>();
  self->request(st.dead_letter_queue, internal_request_timeout,
                store_messages{std::move(req.items)})
      .then(
          [self, rp, moved = std::move(moved)](caf::ok_atom) mutable {
            announce_dead_letters(self, moved);
            rp.deliver(caf::ok_atom::value);
          },
          [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
  return rp;
}

caf::result<ack_result> on_ack(self_ptr self, const ack_messages& req) {
  return settle(self, self->state.queue.id, req.acks, req.retries, req.failure);
}

caf::result<ack_result> on_delete_refs(self_ptr self, const delete_refs& req) {
  return settle(self, ref_binding(self->state.queue.id), req.refs, {});
}

/// Places shard `i` on `node` and waits for its answer before anything else
/// (`await`: requests stay in the mailbox meanwhile). A placement that fails
/// is asked for again; the queue serves once every shard has a place. When the
/// node is gone (the hub shutting down) there is nothing to ask: the
/// coordinator quits rather than asking a dead actor forever, which kept the
/// actor system, and so a SIGTERM, from ever finishing.
void place_shard(self_ptr self, node_actor node, uint16_t i) {
  auto& st = self->state;
  shard_spec spec{st.queue.account, st.queue.name,
                  st.queue.id,      static_cast<uint16_t>(st.shard_base() + i),
                  st.settings(),    caf::actor_cast<caf::actor>(self)};
  self->request(node, internal_request_timeout, std::move(spec))
      .await(
          [self, i](shard_placed& placed) {
            auto& slot = self->state.shards[i];
            slot.node = std::move(placed.node);
            slot.actor = caf::actor_cast<storage_shard_actor>(placed.shard);
          },
          [self, node, i](caf::error& err) {
            if (err == caf::sec::request_receiver_down) {
              self->quit(std::move(err));
              return;
            }
            spdlog::error("queue {}: placing shard {} failed ({}); trying again",
                          self->state.queue.id, i, self->system().render(err));
            place_shard(self, node, i);
          });
}

/// Takes `msg` as the queue's consumer (slot 0's on a fan-out queue).
void apply_consumer(self_ptr self, consumer_changed& msg) {
  auto& s = self->state;
  s.consumer = std::move(msg.consumer);
  s.dead_letter_queue = caf::actor_cast<coordinator_actor>(msg.dlq);
  s.script = std::move(msg.script);
  for (auto& shard : s.shards)
    self->send(shard.actor, s.settings());
  sync_push(self);
}

} // namespace

coordinator_actor::behavior_type
coordinator(coordinator_actor::stateful_pointer<coordinator_state> self, coordinator_config cfg) {
  auto& st = self->state;
  st.queue = std::move(cfg.queue);
  st.leases = cfg.leases;
  st.now_ms = cfg.now_ms;
  st.events = cfg.events;
  st.plugins = cfg.plugins;
  st.slot_number = cfg.slot;
  st.parent = cfg.parent;
  st.node = cfg.node;
  st.registry = cfg.metrics;
  if (cfg.metrics != nullptr)
    st.metrics = cfg.metrics->queue(st.queue.account, st.queue.name);
  // As CAF's default (a link's normal exit ends nothing), but waiting pulls
  // are answered before the queue ends (deleted, or the server stopping).
  self->set_exit_handler([self](caf::exit_msg& msg) {
    if (!msg.reason)
      return;
    if (is_slot(self->state, msg.source)) {
      spdlog::error("queue {}: a consumer's slot coordinator ended ({})", self->state.queue.id,
                    self->system().render(msg.reason));
      return;
    }
    answer_waiters(self,
                   make_error(errc::queue_not_found, "queue '" + self->state.queue.name
                                                         + "' was deleted while the pull waited"),
                   false);
    self->quit(std::move(msg.reason));
  });
  st.shards.resize(default_shard_count);
  for (uint16_t i = 0; i < default_shard_count; ++i)
    place_shard(self, cfg.node, i);
  return {
      [=](storage::queue_record& updated) {
        self->state.queue = std::move(updated);
        for (auto& s : self->state.shards)
          self->send(s.actor, self->state.settings());
        for (const auto& slot : live_slots(self->state))
          self->send(slot, self->state.queue);
        sync_push(self); // a pause or resume
        if (self->state.queue.settings.delivery_paused)
          answer_waiters(self, paused_error(self->state), true);
      },
      [=](send_messages& req) -> caf::result<sent_messages> {
        if (fans_out(self->state))
          return fanout_send(self, req);
        return on_send(self, req);
      },
      [=](const pull_messages& req) {
        return routed<pulled_batch>(self, req, true, [&] { return on_pull(self, req); });
      },
      [=](const ack_messages& req) {
        return routed<ack_result>(self, req, true, [&] { return on_ack(self, req); });
      },
      [=](const get_stats&) -> caf::result<queue_stats> {
        const auto& m = self->state.shards;
        if (std::any_of(m.begin(), m.end(), [](const shard_slot& s) { return !s.ready; }))
          return caf::skip; // a shard is still recovering
        if (fans_out(self->state))
          return fanout_ready(self->state) ? fanout_stats(self->state)
                                           : caf::result<queue_stats>{caf::skip};
        return self->state.stats();
      },
      [=](const get_consumer_backlogs&) -> caf::result<consumer_backlogs> {
        const auto& m = self->state.shards;
        if (std::any_of(m.begin(), m.end(), [](const shard_slot& s) { return !s.ready; })
            || !fanout_ready(self->state))
          return caf::skip;
        return backlogs_of(self->state);
      },
      [=](consumer_changed& msg) { apply_consumer(self, msg); },
      [=](consumer_set& set) {
        apply_consumer_set(self, set, [self](consumer_changed& own) { apply_consumer(self, own); });
      },
      [=](const slot_stats& s) { on_slot_stats(self, s); },
      [=](dead_letters& req) { return on_dead_letters(self, req); },
      [=](const purge_queue&) { return on_purge(self); },
      [=](const get_purge_status&) { return self->state.last_purge; },
      [=](const peek_messages& req) {
        return routed<pulled_batch>(self, req, false, [&] { return on_peek(self, req); });
      },
      [=](const delete_refs& req) {
        return routed<ack_result>(self, req, false, [&] { return on_delete_refs(self, req); });
      },
      [=](store_messages& req) -> caf::result<caf::ok_atom> {
        if (fans_out(self->state) && !req.slot_copy)
          return fanout_store(self, req, [&] { return store(self, std::move(req.items)); });
        return store(self, std::move(req.items));
      },
      [=](const shard_stats& s) {
        auto i = static_cast<size_t>(s.shard) - self->state.shard_base();
        if (s.shard >= self->state.shard_base() && i < self->state.shards.size()) {
          self->state.shards[i].stats = s.stats;
          self->state.shards[i].ready = true;
        }
        ++self->state.stats_epoch;
        stats_changed(self);
      },
      [=](const push_lease& req) { return on_push_lease(self, req); },
      [=](const push_idle&) {
        self->state.push_waiting = true;
        wake_push(self);
      },
      [=](const get_shard_map&) {
        shard_map out;
        for (const auto& s : self->state.shards)
          out.nodes.push_back(s.node);
        return out;
      },
      [=](const pull_wait_over& msg) { on_wait_over(self, msg.id); },
      [=](const release_waiting_pulls& msg) {
        answer_waiters(self, nothing(self->state), true);
        for (const auto& slot : live_slots(self->state)) // a fan-out queue's long polls too
          self->send(slot, msg);
      },
      [=](const redrive_take& req) { return on_redrive_take(self, req); },
  };
}

} // namespace sluice
