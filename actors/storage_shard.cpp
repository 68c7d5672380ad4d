#include "actors/storage_shard.hpp"

#include <algorithm>
#include <chrono>

#include "actors/errc.hpp"

namespace sluice {

queue_stats storage_shard_state::stats() const {
  // Cold messages are newer than every one in memory: the oldest is here.
  return {index.size() + cold_count, index.bytes() + cold_bytes, index.oldest_timestamp(),
          index.ready_count(),       index.delayed_count(),      index.leased_count()};
}

namespace {

shard_entry to_entry(storage::recovered_message&& r) {
  shard_entry e;
  e.seq = r.seq;
  e.timestamp_ms = r.message.timestamp_ms;
  e.type = r.message.type;
  e.body = std::move(r.message.body);
  e.attempts = r.state.attempts;
  e.pushed = r.state.pushed;
  // A push lease died with the process that held it.
  e.visible_at_ms = r.state.pushed ? 0 : r.state.visible_at_ms;
  return e;
}

} // namespace

namespace {

using self_ptr = storage_shard_actor::stateful_pointer<storage_shard_state>;

constexpr int64_t retention_check_interval_ms = 1000;

/// Schedules a `tick` at `at` unless one is already due earlier.
void arm(self_ptr self, int64_t at) {
  auto& st = self->state;
  if (at == INT64_MAX || at >= st.wakeup_at)
    return;
  st.wakeup_at = at;
  auto delay = std::max<int64_t>(0, at - st.now_ms());
  self->delayed_send(self, std::chrono::milliseconds(delay), tick_atom::value);
}

void arm_next(self_ptr self) {
  auto& st = self->state;
  auto at = st.index.next_deadline();
  if (st.index.size() > 0)
    at = std::min(at, st.last_retention_check + retention_check_interval_ms);
  arm(self, at);
}

void report(self_ptr self) {
  self->send(self->state.coordinator, shard_stats{self->state.shard, self->state.stats()});
}

/// Who held `e`'s last lease (the `consumer_type` of its read, retry or delete).
metrics::consumer_type holder(const shard_entry& e) {
  return e.pushed ? metrics::consumer_type::worker : metrics::consumer_type::http;
}

/// Counts the deletion of `e` (SPEC §6 operations), if the queue has metrics.
void count_delete(const storage_shard_state& st, const shard_entry& e, metrics::delete_outcome o) {
  if (st.metrics)
    st.metrics->deleted(holder(e), o, e.body.size());
}

/// Counts that `e` goes back for another delivery.
void count_retry(const storage_shard_state& st, const shard_entry& e) {
  if (st.metrics)
    st.metrics->retried(holder(e));
}

/// Deletes `seq` from memory and (through `b`) from disk.
void drop(storage_shard_state& st, uint64_t seq, storage::batch& b) {
  st.index.remove(seq);
  b.erase(storage::family::messages, st.key(seq));
  b.erase(storage::family::state, st.key(seq));
}

/// True if a delivery that was attempt `attempts` may not be retried again.
bool exhausted(const storage_shard_state& st, const shard_entry& e) {
  return e.attempts >= st.settings.max_retries + 1;
}

/// Starts reading the next cold messages once the window is half empty.
void refill(self_ptr self) {
  auto& st = self->state;
  if (st.paging || st.cold_count == 0 || st.env.reader == nullptr
      || st.index.size() > st.env.window / 2)
    return;
  st.paging = true;
  auto* db = st.env.db;
  auto queue = st.queue_id;
  auto shard = st.shard;
  auto from = st.cold_from;
  auto below = st.confirmed_seq + 1;
  auto limit = st.env.window - st.index.size();
  auto epoch = st.epoch;
  auto handle = caf::actor_cast<caf::actor>(self);
  // Runs on the reader thread: read, then only send a message.
  st.env.reader->post([=] {
    page_loaded page;
    page.epoch = epoch;
    auto status = storage::load_page(*db, queue, shard, from, below, limit, page.messages);
    if (!status.ok())
      page.error = status.message();
    caf::anon_send(handle, std::move(page));
  });
}

void on_page(self_ptr self, page_loaded& page) {
  auto& st = self->state;
  st.paging = false;
  if (page.epoch != st.epoch) { // purged meanwhile
    refill(self);
    return;
  }
  if (!page.error.empty())
    return; // tried again at the next change
  if (page.messages.empty()) {
    // Nothing where messages were counted: stop paging rather than spin; the
    // count is corrected at the next start.
    st.cold_count = st.cold_bytes = 0;
    return;
  }
  auto now = st.now_ms();
  for (auto& r : page.messages) {
    st.cold_count -= std::min<uint64_t>(st.cold_count, 1);
    st.cold_bytes -= std::min<uint64_t>(st.cold_bytes, r.message.body.size());
    st.cold_from = r.seq + 1;
    st.index.add(to_entry(std::move(r)), now);
  }
  if (st.cold_count == 0)
    st.cold_bytes = 0;
  report(self); // more ready: push consumers may be waiting
  arm_next(self);
  refill(self);
}

/// Messages out of retries go to the dead-letter queue if there is one
/// (deleted here only once it stored them; kept if it could not), else they
/// are deleted now through `b`.
void exhaust(self_ptr self, const std::vector<uint64_t>& seqs, storage::batch& b) {
  auto& st = self->state;
  if (seqs.empty())
    return;
  if (!st.settings.dead_letter) {
    for (auto seq : seqs) {
      count_delete(st, *st.index.find(seq), metrics::delete_outcome::fail);
      drop(st, seq, b);
    }
    return;
  }
  auto now = st.now_ms();
  dead_letters dl;
  auto moved = std::make_shared<std::vector<shard_entry>>();
  for (auto seq : seqs) {
    auto* e = st.index.find(seq);
    dl.items.push_back({e->body, static_cast<uint8_t>(e->type), now, e->timestamp_ms});
    dl.origins.emplace_back(st.leases->message_id(st.queue_id, st.shard, seq), e->attempts);
    moved->push_back(*e);
    st.index.remove(seq);
  }
  self->request(st.coordinator, caf::infinite, std::move(dl))
      .then(
          [self, moved](caf::ok_atom) {
            storage::batch del;
            for (const auto& e : *moved) {
              count_delete(self->state, e, metrics::delete_outcome::dlq);
              del.erase(storage::family::messages, self->state.key(e.seq));
              del.erase(storage::family::state, self->state.key(e.seq));
            }
            self->state.persist.submit(caf::actor_cast<caf::actor>(self), std::move(del),
                                       [](const std::string&) {});
            report(self);
          },
          [self, moved](caf::error&) mutable {
            auto t = self->state.now_ms();
            for (auto& e : *moved) {
              e.leased = false;
              e.visible_at_ms = t;
              self->state.index.add(std::move(e), t);
            }
          });
}

/// Expired leases, delayed messages coming due, retention.
void on_tick(self_ptr self) {
  auto& st = self->state;
  st.wakeup_at = INT64_MAX;
  auto now = st.now_ms();
  auto ready_before = st.index.ready_count();
  storage::batch b;
  std::vector<uint64_t> out_of_retries;
  for (auto seq : st.index.advance(now)) {
    auto* e = st.index.find(seq);
    if (exhausted(st, *e)) {
      out_of_retries.push_back(seq);
      continue;
    }
    count_retry(st, *e); // the lease expired
    st.index.release(seq, now, now);
  }
  exhaust(self, out_of_retries, b);
  if (now - st.last_retention_check >= retention_check_interval_ms) {
    st.last_retention_check = now;
    for (auto seq : st.index.older_than(now - st.settings.retention_s * 1000)) {
      count_delete(st, *st.index.find(seq), metrics::delete_outcome::expired);
      drop(st, seq, b);
    }
  }
  bool changed = !b.empty();
  if (changed)
    st.persist.submit(caf::actor_cast<caf::actor>(self), std::move(b), [](const std::string&) {});
  // Delayed messages came due or leases expired: push consumers wait for this.
  if (changed || st.index.ready_count() > ready_before)
    report(self);
  arm_next(self);
  refill(self);
}

caf::result<queue_stats> on_append(self_ptr self, shard_append& req) {
  auto& st = self->state;
  if (st.persist.in_flight() >= max_pending_writes)
    return make_error(errc::too_many_requests,
                      "this queue has too many writes waiting for disk; retry shortly");
  storage::batch b;
  std::vector<shard_entry> entries;
  entries.reserve(req.items.size());
  auto now = st.now_ms();
  for (auto& item : req.items) {
    shard_entry e;
    e.seq = st.next_seq++;
    e.timestamp_ms = item.timestamp_ms;
    e.type = static_cast<storage::content_type>(item.type);
    e.visible_at_ms = item.visible_at_ms;
    storage::stored_message m{e.timestamp_ms, e.type, std::move(item.body)};
    b.put(storage::family::messages, st.key(e.seq), storage::encode(m));
    if (e.visible_at_ms > now) // else the default state (no record) is right
      b.put(storage::family::state, st.key(e.seq),
            storage::encode(storage::delivery_state{0, e.visible_at_ms, false}));
    e.body = std::move(m.body);
    entries.push_back(std::move(e));
  }
  auto rp = self->make_response_promise<queue_stats>();
  st.persist.submit(
      caf::actor_cast<caf::actor>(self), std::move(b),
      [self, entries = std::move(entries), rp](const std::string& error) mutable {
        if (!error.empty()) {
          rp.deliver(make_error(errc::storage_failure, "could not store the messages: " + error));
          return;
        }
        // Deliverable only once durable.
        auto& s = self->state;
        auto durable_at = s.now_ms();
        for (auto& e : entries) {
          s.confirmed_seq = e.seq;
          if (s.metrics)
            s.metrics->written(e.body.size());
          // Keep order: once anything is cold, newer messages are cold too.
          if (s.cold_count == 0 && s.index.size() < s.env.window) {
            s.index.add(std::move(e), durable_at);
            continue;
          }
          if (s.cold_count == 0)
            s.cold_from = e.seq;
          ++s.cold_count;
          s.cold_bytes += e.body.size();
        }
        arm_next(self);
        rp.deliver(self->state.stats());
      });
  return rp;
}

/// The wire form of an entry; `id` is a lease id or a peek ref.
pulled_message to_pulled(const storage_shard_state& st, const shard_entry& e, std::string id) {
  pulled_message m;
  m.id = st.leases->message_id(st.queue_id, st.shard, e.seq);
  m.body = e.body;
  m.type = static_cast<uint8_t>(e.type);
  m.timestamp_ms = e.timestamp_ms;
  m.attempts = e.attempts;
  m.lease_id = std::move(id);
  return m;
}

pulled_batch on_peek(self_ptr self, const shard_peek& req) {
  auto& st = self->state;
  pulled_batch out;
  auto binding = ref_binding(st.queue_id);
  for (auto seq : st.index.first(req.n))
    out.messages.push_back(
        to_pulled(st, *st.index.find(seq), st.leases->encode(binding, {st.shard, seq, 0})));
  out.stats = st.stats();
  return out;
}

caf::result<queue_stats> on_purge(self_ptr self) {
  auto& st = self->state;
  storage::batch b;
  for (auto seq : st.index.all()) // leased ones too, as SQS does: a late ack gets a warning
    drop(st, seq, b);
  if (st.cold_count > 0) {
    // Only what is accounted for: appends still in flight land after this.
    for (auto cf : {storage::family::messages, storage::family::state})
      b.erase_range(cf, st.key(st.cold_from), st.key(st.confirmed_seq + 1));
    st.cold_count = st.cold_bytes = 0;
    ++st.epoch; // a page read under way is stale now
  }
  if (b.empty())
    return st.stats();
  auto rp = self->make_response_promise<queue_stats>();
  st.persist.submit(caf::actor_cast<caf::actor>(self), std::move(b),
                    [self, rp](const std::string& error) mutable {
                      if (!error.empty())
                        rp.deliver(make_error(errc::storage_failure, "could not purge: " + error));
                      else
                        rp.deliver(self->state.stats());
                    });
  return rp;
}

pulled_batch on_lease(self_ptr self, const shard_lease& req) {
  auto& st = self->state;
  auto now = st.now_ms();
  st.index.advance(now); // delayed messages that came due since the last tick
  auto deadline = now + req.visibility_ms;
  pulled_batch out;
  storage::batch b;
  for (auto seq : st.index.lease(req.n, deadline)) {
    auto* e = st.index.find(seq);
    e->pushed = req.push;
    if (st.metrics)
      st.metrics->delivered(holder(*e), e->body.size(), (now - e->timestamp_ms) / 1000.0);
    out.messages.push_back(
        to_pulled(st, *e, st.leases->encode(st.queue_id, {st.shard, seq, e->lease_gen})));
    // A crash while leased: attempts count, and the message is visible again
    // at the deadline.
    b.put(storage::family::state, st.key(seq),
          storage::encode(storage::delivery_state{e->attempts, deadline, req.push}));
  }
  if (!b.empty())
    st.persist.submit(caf::actor_cast<caf::actor>(self), std::move(b), [](const std::string&) {});
  out.stats = st.stats();
  arm_next(self);
  refill(self);
  return out;
}

caf::result<ack_result> on_ack(self_ptr self, const shard_ack& req) {
  auto& st = self->state;
  auto now = st.now_ms();
  ack_result out;
  storage::batch b;
  std::vector<uint64_t> out_of_retries;
  auto unknown = [&](const lease_ref& r) {
    out.warnings.emplace(r.lease_id, "unknown: the message was already acknowledged or deleted");
  };
  // Late acks (stale generation) are accepted while the message exists.
  for (const auto& r : req.acks) {
    auto* e = st.index.find(r.seq);
    if (e == nullptr) {
      unknown(r);
      continue;
    }
    count_delete(st, *e, metrics::delete_outcome::success);
    drop(st, r.seq, b);
    ++out.ack_count;
  }
  for (const auto& r : req.retries) {
    auto* e = st.index.find(r.seq);
    if (e == nullptr) {
      unknown(r);
      continue;
    }
    ++out.retry_count;
    if (exhausted(st, *e)) {
      out_of_retries.push_back(r.seq);
      continue;
    }
    count_retry(st, *e);
    auto delay_s = r.retry_delay_s >= 0 ? r.retry_delay_s : st.settings.retry_delay_s;
    auto visible = now + delay_s * 1000;
    st.index.release(r.seq, visible, now);
    b.put(storage::family::state, st.key(r.seq),
          storage::encode(storage::delivery_state{e->attempts, visible, false}));
  }
  exhaust(self, out_of_retries, b);
  arm_next(self);
  refill(self);
  if (b.empty())
    return out;
  auto rp = self->make_response_promise<ack_result>();
  st.persist.submit(caf::actor_cast<caf::actor>(self), std::move(b),
                    [self, out, rp](const std::string& error) mutable {
                      report(self);
                      if (!error.empty())
                        rp.deliver(make_error(errc::storage_failure,
                                              "could not store the acknowledgements: " + error));
                      else
                        rp.deliver(out);
                    });
  return rp;
}

} // namespace

storage_shard_actor::behavior_type
storage_shard(storage_shard_actor::stateful_pointer<storage_shard_state> self, shard_config cfg) {
  auto& st = self->state;
  st.queue_id = std::move(cfg.queue_id);
  st.shard = cfg.shard;
  st.leases = std::move(cfg.leases);
  st.coordinator = std::move(cfg.coordinator);
  st.settings = cfg.settings;
  st.persist = persister{*cfg.env.writer};
  st.env = cfg.env;
  st.now_ms = std::move(cfg.now_ms);
  st.metrics = std::move(cfg.metrics);
  auto now = st.now_ms();
  st.last_retention_check = now;
  uint64_t last_seq = 0;
  auto& rec = cfg.recovered;
  for (auto& r : rec.loaded)
    st.index.add(to_entry(std::move(r)), now);
  last_seq = rec.last_seq;
  st.confirmed_seq = last_seq;
  st.cold_count = rec.cold_count;
  st.cold_bytes = rec.cold_bytes;
  st.cold_from = rec.cold_from;
  // Sequence numbers never repeat, even after every message was acked and the
  // process restarted: start past both the last stored one and the clock (µs).
  st.next_seq = std::max<uint64_t>(last_seq + 1, static_cast<uint64_t>(now) * 1000);
  if (st.index.size() > 0)
    report(self);
  arm_next(self);
  refill(self);
  return {
      [=](shard_append& req) { return on_append(self, req); },
      [=](const shard_lease& req) { return on_lease(self, req); },
      [=](const shard_ack& req) { return on_ack(self, req); },
      [=](const shard_peek& req) { return on_peek(self, req); },
      [=](const shard_purge&) { return on_purge(self); },
      [=](const delivery_settings& s) { self->state.settings = s; },
      [=](tick_atom) { on_tick(self); },
      [=](page_loaded& page) { on_page(self, page); },
      [=](const write_done& msg) { self->state.persist.complete(msg); },
  };
}

} // namespace sluice
