#include "actors/queue/storage_shard.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include <caf/send.hpp>

#include "actors/errc.hpp"
#include "actors/queue/dedup_append.hpp"
#include "actors/timeouts.hpp"

namespace sluice {

queue_stats storage_shard_state::stats() const {
  // Cold messages are newer than every one in memory: the oldest is here.
  return {index.size() + cold_count, index.bytes() + cold_bytes, index.oldest_timestamp(),
          index.ready_count(),       index.delayed_count(),      index.leased_count()};
}

namespace {

using self_ptr = storage_shard_actor::stateful_pointer<storage_shard_state>;
using storage::state_change;

constexpr int64_t retention_check_interval_ms = 1000;
/// How soon a failed recovery read or deletion is tried again.
constexpr int64_t storage_retry_ms = 1000;

/// Gives `e` the kept id and origin of a dead letter, if it has them.
void keep_origin(shard_entry& e, std::string&& id,
                 std::optional<storage::dead_letter_origin>&& dead_letter) {
  if (id.empty() && !dead_letter)
    return;
  e.extra().id = std::move(id);
  e.extra().dead_letter = std::move(dead_letter);
}

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
  keep_origin(e, std::move(r.message.id), std::move(r.message.dead_letter));
  if (!r.state.last_error.empty())
    e.extra().last_error = std::move(r.state.last_error);
  return e;
}

/// Records `failure` as the last error of `e`, cut to `max_last_error_bytes`
/// (at a UTF-8 character boundary).
void record_failure(shard_entry& e, const std::string& failure) {
  if (failure.empty())
    return;
  auto n = std::min(failure.size(), storage::max_last_error_bytes);
  if (n < failure.size())
    while (n > 0 && (static_cast<unsigned char>(failure[n]) & 0xC0) == 0x80)
      --n;
  e.extra().last_error = failure.substr(0, n);
}

/// The public id of `e`: the one it kept from another queue, else the one
/// its place in this queue (queue, shard, seq) gives.
std::string visible_id(const storage_shard_state& st, const shard_entry& e) {
  if (e.extras && !e.extras->id.empty())
    return e.extras->id;
  return st.leases->message_id(st.queue_id, st.shard, e.seq);
}

/// The delivery state of `e` to store, as it is in memory after a lease or retry.
storage::delivery_state state_of(const shard_entry& e, int64_t visible_at_ms, bool pushed) {
  return {e.attempts, visible_at_ms, pushed, e.last_error()};
}

caf::actor handle(self_ptr self) {
  return caf::actor_cast<caf::actor>(self);
}

/// The store callback of a write nobody waits for: a failure is logged and
/// counted by the persister, then `on_failure` runs (if any).
storage::write_callback background(self_ptr self, std::string_view op,
                                   std::function<void()> on_failure = {}) {
  return self->state.persist.then(handle(self), op, "", [on_failure](const caf::error& err) {
    if (err && on_failure)
      on_failure();
  });
}

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
  if (!st.undeleted.empty())
    at = std::min(at, st.now_ms() + storage_retry_ms);
  if (!st.dedup.sweeping)
    at = std::min(at, st.dedup.sweep_at);
  arm(self, at);
}

void report(self_ptr self) {
  self->send(self->state.coordinator, shard_stats{self->state.shard, self->state.stats()});
}

/// Who held `e`'s last lease (the `consumer_type` of its read, retry or delete).
metrics::consumer_type holder(const shard_entry& e) {
  return e.pushed ? metrics::consumer_type::worker : metrics::consumer_type::http;
}

/// Counts the deletion of `e` (docs/operations.md operations), if the queue has metrics.
void count_delete(const storage_shard_state& st, const shard_entry& e, metrics::delete_outcome o) {
  if (st.metrics)
    st.metrics->deleted(holder(e), o, e.body.size());
}

/// Counts that `e` goes back for another delivery.
void count_retry(const storage_shard_state& st, const shard_entry& e) {
  if (st.metrics)
    st.metrics->retried(holder(e));
}

/// True if a delivery that was attempt `attempts` may not be retried again.
bool exhausted(const storage_shard_state& st, const shard_entry& e) {
  return e.attempts >= st.settings.max_retries + 1;
}

/// Deletes `seqs` from disk; nobody waits. Gone from memory already, so a
/// failed write is tried again at the next tick (`undeleted`).
void delete_later(self_ptr self, std::string_view op, std::vector<uint64_t> seqs) {
  if (seqs.empty())
    return;
  auto again = [self, seqs] {
    auto& u = self->state.undeleted;
    u.insert(u.end(), seqs.begin(), seqs.end());
    arm_next(self);
  };
  if (op == "expire")
    self->state.store->expire({std::move(seqs)}, background(self, op, again));
  else
    self->state.store->settle({{}, {}, std::move(seqs)}, background(self, op, again));
}

/// Starts reading the next cold messages once the window is half empty, or once an
/// eighth of it is free while under a quarter of it is ready: leased messages stay in
/// the window, and a deep backlog with many batches in flight would otherwise run dry
/// of ready messages long before half its window is free (docs/benchmarks.md, "Slow
/// webhooks"). The window stays the bound either way.
void refill(self_ptr self) {
  auto& st = self->state;
  if (st.paging || st.cold_count == 0)
    return;
  const size_t window = st.env.window;
  const size_t room = window > st.index.size() ? window - st.index.size() : 0;
  const bool half_empty = st.index.size() <= window / 2;
  const bool running_dry =
      room >= std::max<size_t>(window / 8, 1) && st.index.ready_count() < window / 4;
  if (!half_empty && !running_dry)
    return;
  st.paging = true;
  storage::page_messages cmd{st.cold_from, st.confirmed_seq + 1, room,
                             st.cold_from >= st.first_seq_of_run};
  st.store->page(cmd, [h = handle(self), epoch = st.epoch](auto r) {
    page_loaded page;
    page.epoch = epoch;
    if (r) {
      page.messages = std::move(*r);
    } else {
      page.failure = static_cast<uint8_t>(r.error().code);
      page.error = r.error().message;
    }
    caf::anon_send(h, std::move(page));
  });
}

void on_page(self_ptr self, page_loaded& page) {
  auto& st = self->state;
  st.paging = false;
  if (page.epoch != st.epoch) { // purged meanwhile
    refill(self);
    return;
  }
  if (page.failure != 0) {
    // The messages stay on disk and counted; read again at the next change.
    report_storage_error(st.env.metrics, "page", page.error);
    return;
  }
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
/// (deleted here only once it stored them; put back if it could not, or did
/// not answer in time), else they are deleted now.
void exhaust(self_ptr self, const std::vector<uint64_t>& seqs) {
  auto& st = self->state;
  if (seqs.empty())
    return;
  if (!st.settings.dead_letter) {
    for (auto seq : seqs)
      count_delete(st, *st.index.find(seq), metrics::delete_outcome::fail);
    for (auto seq : seqs)
      st.index.remove(seq);
    delete_later(self, "settle", seqs);
    return;
  }
  auto now = st.now_ms();
  dead_letters dl;
  auto moved = std::make_shared<std::vector<shard_entry>>();
  for (auto seq : seqs) {
    auto e = st.index.take(seq);
    // The coordinator adds the queue's name and its consumer.
    storage::dead_letter_origin origin;
    origin.queue_id = st.queue_id;
    origin.reason = std::string{storage::dead_letter_reason_retries};
    origin.last_error = e->last_error();
    origin.attempts = e->attempts;
    origin.dead_lettered_ms = now;
    dl.items.push_back({e->body, static_cast<uint8_t>(e->type), now, e->timestamp_ms,
                        visible_id(st, *e), std::move(origin)});
    moved->push_back(std::move(*e));
  }
  self->request(st.coordinator, internal_request_timeout, std::move(dl))
      .then(
          [self, moved](caf::ok_atom) {
            std::vector<uint64_t> done;
            for (const auto& e : *moved) {
              count_delete(self->state, e, metrics::delete_outcome::dlq);
              done.push_back(e.seq);
            }
            delete_later(self, "settle", std::move(done));
            report(self);
          },
          [self, moved](caf::error&) mutable {
            auto t = self->state.now_ms();
            for (auto& e : *moved) {
              e.leased = false;
              e.visible_at_ms = t;
              self->state.index.add(std::move(e), t);
            }
            report(self);
            arm_next(self);
          });
}

/// Expired leases, delayed messages coming due, retention, deletions to
/// write again.
void on_tick(self_ptr self) {
  auto& st = self->state;
  st.wakeup_at = INT64_MAX;
  if (!st.ready)
    return;
  auto now = st.now_ms();
  auto ready_before = st.index.ready_count();
  auto size_before = st.index.size();
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
  exhaust(self, out_of_retries);
  if (now - st.last_retention_check >= retention_check_interval_ms) {
    st.last_retention_check = now;
    auto expired = st.index.older_than(now - st.settings.retention_s * 1000);
    for (auto seq : expired) {
      count_delete(st, *st.index.find(seq), metrics::delete_outcome::expired);
      st.index.remove(seq);
    }
    delete_later(self, "expire", std::move(expired));
  }
  if (!st.undeleted.empty())
    delete_later(self, "settle", std::exchange(st.undeleted, {}));
  sweep_dedup_if_due(self, now);
  // Delayed messages came due or leases expired: push consumers wait for this.
  if (st.index.size() != size_before || st.index.ready_count() > ready_before)
    report(self);
  arm_next(self);
  refill(self);
}

} // namespace

void append_items(self_ptr self, std::vector<append_item> items, int64_t dedup_expires_ms,
                  std::function<void(caf::expected<sent_messages>)> done) {
  auto& st = self->state;
  storage::append_messages cmd;
  cmd.messages.reserve(items.size());
  auto now = st.now_ms();
  uint64_t disk_bytes = 0;
  std::vector<std::string> ids;
  ids.reserve(items.size());
  for (auto& item : items) {
    disk_bytes += item.body.size() + space_per_message;
    storage::new_message m;
    m.seq = st.next_seq++;
    ids.push_back(item.id.empty() ? st.leases->message_id(st.queue_id, st.shard, m.seq) : item.id);
    if (dedup_expires_ms > 0 && !item.dedup_id.empty())
      cmd.dedup.push_back({std::move(item.dedup_id), ids.back(), dedup_expires_ms});
    m.message = {item.timestamp_ms, static_cast<storage::content_type>(item.type),
                 std::move(item.body), std::move(item.id)};
    if (item.dead_letter)
      m.message.dead_letter = std::move(*item.dead_letter);
    m.visible_at_ms = item.visible_at_ms > now ? item.visible_at_ms : 0;
    cmd.messages.push_back(std::move(m));
  }
  if (st.env.space != nullptr)
    st.env.space->will_write(disk_bytes);
  if (!cmd.dedup.empty())
    dedup_written(st.dedup, dedup_expires_ms);
  // The index takes the bodies once the store has built its write from the
  // command (it reads `cmd` before `append` returns). The continuation runs
  // later, on this actor, when the store's `write_done` arrives.
  auto entries = std::make_shared<std::vector<shard_entry>>();
  auto k = [self, entries, ids = std::move(ids),
            done = std::move(done)](const caf::error& err) mutable {
    if (err) {
      done(err);
      return;
    }
    // Deliverable only once durable.
    auto& s = self->state;
    auto durable_at = s.now_ms();
    for (auto& e : *entries) {
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
    done(sent_messages{self->state.stats(), std::move(ids)});
  };
  st.store->append(
      cmd, st.persist.then(handle(self), "append", "could not store the messages", std::move(k)));
  entries->reserve(cmd.messages.size());
  for (size_t i = 0; i < cmd.messages.size(); ++i) {
    auto& m = cmd.messages[i];
    shard_entry e;
    e.seq = m.seq;
    e.timestamp_ms = m.message.timestamp_ms;
    e.type = m.message.type;
    e.visible_at_ms = items[i].visible_at_ms;
    e.body = std::move(m.message.body);
    keep_origin(e, std::move(m.message.id), std::move(m.message.dead_letter));
    entries->push_back(std::move(e));
  }
}

void schedule_tick(self_ptr self) {
  arm_next(self);
}

namespace {

caf::result<sent_messages> on_append(self_ptr self, shard_append& req) {
  auto& st = self->state;
  if (!st.ready)
    return caf::skip;
  if (st.persist.in_flight() >= max_pending_writes)
    return make_error(errc::too_many_requests,
                      "this queue has too many writes waiting for disk; retry shortly");
  if (st.env.space != nullptr && st.env.space->low())
    return make_error(errc::storage_full, st.env.space->refusal());
  auto rp = self->make_response_promise<sent_messages>();
  if (wants_dedup(req)) {
    dedup_append(self, std::move(req), rp);
    return rp;
  }
  append_items(self, std::move(req.items), 0, [rp](caf::expected<sent_messages> r) mutable {
    if (r)
      rp.deliver(std::move(*r));
    else
      rp.deliver(std::move(r.error()));
  });
  return rp;
}

/// The wire form of an entry; `id` is a lease id or a peek ref.
pulled_message to_pulled(const storage_shard_state& st, const shard_entry& e, std::string id) {
  pulled_message m;
  m.id = visible_id(st, e);
  m.body = e.body;
  m.type = static_cast<uint8_t>(e.type);
  m.timestamp_ms = e.timestamp_ms;
  m.attempts = e.attempts;
  m.lease_id = std::move(id);
  if (e.extras && e.extras->dead_letter)
    m.dead_letter = *e.extras->dead_letter;
  return m;
}

caf::result<pulled_batch> on_peek(self_ptr self, const shard_peek& req) {
  auto& st = self->state;
  if (!st.ready)
    return caf::skip;
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
  if (!st.ready)
    return caf::skip;
  storage::purge_messages cmd;
  // Leased ones too, as SQS does: a late ack gets a warning.
  auto taken = std::make_shared<std::vector<shard_entry>>();
  for (auto seq : st.index.all()) {
    taken->push_back(std::move(*st.index.take(seq)));
    cmd.seqs.push_back(seq);
  }
  struct cold_window {
    uint64_t count, bytes, from;
  } cold{st.cold_count, st.cold_bytes, st.cold_from};
  if (st.cold_count > 0) {
    // Only what is accounted for: appends still in flight land after this.
    cmd.cold_from = st.cold_from;
    cmd.cold_below = st.confirmed_seq + 1;
    st.cold_count = st.cold_bytes = 0;
    ++st.epoch; // a page read under way is stale now
  }
  if (cmd.seqs.empty() && cmd.cold_below == 0)
    return st.stats();
  auto rp = self->make_response_promise<queue_stats>();
  auto k = [self, taken, cold, rp](const caf::error& err) mutable {
    auto& s = self->state;
    if (err) {
      // Nothing was deleted: the shard holds what it held.
      auto now = s.now_ms();
      for (auto& e : *taken)
        s.index.restore(std::move(e), now);
      if (cold.count > 0 && s.cold_count == 0) {
        s.cold_count = cold.count;
        s.cold_bytes = cold.bytes;
        s.cold_from = cold.from;
      }
      report(self);
      arm_next(self);
      rp.deliver(err);
      return;
    }
    rp.deliver(s.stats());
  };
  st.store->purge(std::move(cmd),
                  st.persist.then(handle(self), "purge", "could not purge", std::move(k)));
  return rp;
}

caf::result<pulled_batch> on_lease(self_ptr self, const shard_lease& req) {
  auto& st = self->state;
  if (!st.ready)
    return caf::skip;
  auto now = st.now_ms();
  st.index.advance(now); // delayed messages that came due since the last tick
  auto deadline = now + req.visibility_ms;
  pulled_batch out;
  storage::lease_messages cmd;
  for (auto seq : st.index.lease(req.n, deadline)) {
    auto* e = st.index.find(seq);
    e->pushed = req.push;
    if (st.metrics)
      st.metrics->delivered(holder(*e), e->body.size(), (now - e->timestamp_ms) / 1000.0);
    out.messages.push_back(
        to_pulled(st, *e, st.leases->encode(st.queue_id, {st.shard, seq, e->lease_gen})));
    // A crash while leased: attempts count, and the message is visible again
    // at the deadline.
    cmd.leases.push_back({seq, state_of(*e, deadline, req.push)});
  }
  // Nobody waits: if it fails, a crash before the next state write forgets
  // this attempt (the message is redelivered, at least once either way).
  if (!cmd.leases.empty())
    st.store->lease(std::move(cmd), background(self, "lease"));
  out.stats = st.stats();
  arm_next(self);
  refill(self);
  return out;
}

/// Takes ready messages for a redrive (`shard_take`): leased as a push
/// consumer's lease (visible at once after a crash), without counting a
/// delivery or a read.
caf::result<pulled_batch> on_take(self_ptr self, const shard_take& req) {
  auto& st = self->state;
  if (!st.ready)
    return caf::skip;
  auto now = st.now_ms();
  st.index.advance(now);
  auto deadline = now + req.visibility_ms;
  pulled_batch out;
  storage::lease_messages cmd;
  for (auto seq : st.index.lease(req.n, deadline)) {
    auto* e = st.index.find(seq);
    --e->attempts; // a move is not a delivery
    e->pushed = true;
    out.messages.push_back(
        to_pulled(st, *e, st.leases->encode(st.queue_id, {st.shard, seq, e->lease_gen})));
    cmd.leases.push_back({seq, state_of(*e, deadline, true)});
  }
  if (!cmd.leases.empty())
    st.store->lease(std::move(cmd), background(self, "lease"));
  out.stats = st.stats();
  arm_next(self);
  refill(self);
  return out;
}

/// A retried entry's lease as it was, to put back if the retry is not durable.
struct lease_before {
  uint64_t seq;
  int64_t visible_at_ms;
  int64_t lease_deadline_ms;
  bool leased;
};

caf::result<ack_result> on_ack(self_ptr self, const shard_ack& req) {
  auto& st = self->state;
  if (!st.ready)
    return caf::skip;
  auto now = st.now_ms();
  ack_result out;
  storage::settle_messages cmd;
  auto acked = std::make_shared<std::vector<shard_entry>>();
  std::vector<lease_before> retried;
  std::vector<uint64_t> out_of_retries;
  auto unknown = [&](const lease_ref& r) {
    out.warnings.emplace(r.lease_id, "unknown: the message was already acknowledged or deleted");
  };
  // Late acks (stale generation) are accepted while the message exists.
  for (const auto& r : req.acks) {
    auto e = st.index.take(r.seq);
    if (!e) {
      unknown(r);
      continue;
    }
    count_delete(st, *e, metrics::delete_outcome::success);
    cmd.acked.push_back(r.seq);
    acked->push_back(std::move(*e));
    ++out.ack_count;
  }
  for (const auto& r : req.retries) {
    auto* e = st.index.find(r.seq);
    if (e == nullptr) {
      unknown(r);
      continue;
    }
    ++out.retry_count;
    record_failure(*e, req.failure);
    if (exhausted(st, *e)) {
      out_of_retries.push_back(r.seq);
      continue;
    }
    count_retry(st, *e);
    retried.push_back({r.seq, e->visible_at_ms, e->lease_deadline_ms, e->leased});
    auto delay_s = r.retry_delay_s >= 0 ? r.retry_delay_s : st.settings.retry_delay_s;
    auto visible = now + delay_s * 1000;
    st.index.release(r.seq, visible, now);
    cmd.retried.push_back({r.seq, state_of(*e, visible, false)});
  }
  exhaust(self, out_of_retries);
  arm_next(self);
  refill(self);
  if (cmd.acked.empty() && cmd.retried.empty())
    return out;
  auto rp = self->make_response_promise<ack_result>();
  auto k = [self, out, acked, retried, rp](const caf::error& err) mutable {
    if (err) {
      // Neither the acks nor the retries happened: the messages stay leased
      // as they were, so the consumer can settle them again.
      auto& s = self->state;
      auto t = s.now_ms();
      for (auto& e : *acked)
        s.index.restore(std::move(e), t);
      for (const auto& b : retried)
        if (auto e = s.index.take(b.seq)) {
          e->visible_at_ms = b.visible_at_ms;
          e->lease_deadline_ms = b.lease_deadline_ms;
          e->leased = b.leased;
          s.index.restore(std::move(*e), t);
        }
      arm_next(self);
    }
    report(self);
    if (err)
      rp.deliver(err);
    else
      rp.deliver(out);
  };
  st.store->settle(std::move(cmd),
                   st.persist.then(handle(self), "settle", "could not store the acknowledgements",
                                   std::move(k)));
  return rp;
}

/// Asks the store for the shard's messages (at start, and again after a
/// failed read).
void recover(self_ptr self) {
  auto& st = self->state;
  st.recovering = true;
  st.store->recover({st.env.window}, [h = handle(self)](auto r) {
    shard_recovered msg;
    if (r) {
      msg.recovery = std::move(*r);
    } else {
      msg.failure = static_cast<uint8_t>(r.error().code);
      msg.error = r.error().message;
    }
    caf::anon_send(h, std::move(msg));
  });
}

void on_recovered(self_ptr self, shard_recovered& msg) {
  auto& st = self->state;
  st.recovering = false;
  if (msg.failure != 0) {
    // Requests keep waiting; the read is tried again shortly.
    report_storage_error(st.env.metrics, "recover", msg.error);
    self->delayed_send(self, std::chrono::milliseconds(storage_retry_ms), tick_atom::value);
    return;
  }
  auto now = st.now_ms();
  st.last_retention_check = now;
  auto& rec = msg.recovery;
  for (auto& r : rec.loaded)
    st.index.add(to_entry(std::move(r)), now);
  st.confirmed_seq = rec.last_seq;
  st.cold_count = rec.cold_count;
  st.cold_bytes = rec.cold_bytes;
  st.cold_from = rec.cold_from;
  // Sequence numbers never repeat, even after every message was acked and the
  // process restarted: start past both the last stored one and the clock (µs).
  st.next_seq = std::max<uint64_t>(rec.last_seq + 1, static_cast<uint64_t>(now) * 1000);
  st.first_seq_of_run = st.next_seq;
  st.ready = true;
  st.dedup.sweep_at = now; // whether entries stored before the restart expired
  report(self);            // the coordinator counts the shard as recovered
  arm_next(self);
  refill(self);
}

} // namespace

storage_shard_actor::behavior_type
storage_shard(storage_shard_actor::stateful_pointer<storage_shard_state> self, shard_spec spec,
              std::shared_ptr<const node_services> services) {
  auto& st = self->state;
  st.queue_id = std::move(spec.queue_id);
  st.shard = spec.shard;
  st.leases = services->leases;
  st.coordinator = caf::actor_cast<coordinator_actor>(spec.coordinator);
  st.settings = spec.settings;
  st.env = services->env;
  st.persist = persister{st.env.metrics};
  st.store = st.env.stores->messages(st.queue_id, st.shard);
  st.now_ms = services->now_ms;
  if (st.env.metrics != nullptr)
    st.metrics = st.env.metrics->queue(spec.account, spec.queue_name);
  self->link_to(spec.coordinator);
  recover(self);
  return {
      [=](shard_append& req) { return on_append(self, req); },
      [=](const shard_lease& req) { return on_lease(self, req); },
      [=](const shard_ack& req) { return on_ack(self, req); },
      [=](const shard_peek& req) { return on_peek(self, req); },
      [=](const shard_purge&) { return on_purge(self); },
      [=](const shard_take& req) { return on_take(self, req); },
      [=](const delivery_settings& s) { self->state.settings = s; },
      [=](tick_atom) {
        if (!self->state.ready && !self->state.recovering)
          recover(self);
        else
          on_tick(self);
      },
      [=](page_loaded& page) { on_page(self, page); },
      [=](shard_recovered& msg) { on_recovered(self, msg); },
      [=](dedup_looked_up& msg) { on_dedup_looked_up(self, msg); },
      [=](dedup_swept& msg) { on_dedup_swept(self, msg); },
      [=](const write_done& msg) { self->state.persist.complete(msg); },
  };
}

} // namespace sluice
