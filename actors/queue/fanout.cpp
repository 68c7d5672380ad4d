#include "actors/queue/fanout.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <random>

#include <spdlog/spdlog.h>

#include "actors/errc.hpp"
#include "actors/queue/coordinator.hpp"
#include "actors/queue/message_rules.hpp"
#include "actors/queue/shard_dedup.hpp"
#include "actors/timeouts.hpp"

namespace sluice {

namespace {

/// splitmix64: spreads a counter over 64 bits.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// A fresh message id: 32 lowercase hex characters, as every id.
std::string next_message_id(coordinator_state& st) {
  if (st.next_id == 0) { // seeded at the queue's first fan-out send
    st.next_id = std::random_device{}();
    st.next_id = (st.next_id << 32) ^ std::random_device{}() ^ 1;
  }
  char out[33];
  auto a = mix(st.next_id++);
  auto b = mix(st.next_id++);
  std::snprintf(out, sizeof out, "%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  return out;
}

/// Takes the larger of each field of `s` into `out` (the oldest timestamp:
/// the smaller non-zero one).
void take_max(queue_stats& out, const queue_stats& s) {
  out.backlog_count = std::max(out.backlog_count, s.backlog_count);
  out.backlog_bytes = std::max(out.backlog_bytes, s.backlog_bytes);
  out.ready_count = std::max(out.ready_count, s.ready_count);
  out.delayed_count = std::max(out.delayed_count, s.delayed_count);
  out.in_flight_count = std::max(out.in_flight_count, s.in_flight_count);
  if (s.oldest_message_timestamp_ms != 0
      && (out.oldest_message_timestamp_ms == 0
          || s.oldest_message_timestamp_ms < out.oldest_message_timestamp_ms))
    out.oldest_message_timestamp_ms = s.oldest_message_timestamp_ms;
}

/// Spawns the coordinator of slot `slot` for consumer `c` (linked: it ends
/// with the queue). Its shards recover whatever the slot holds.
void start_slot(coordinator_self self, uint16_t slot, consumer_changed c) {
  auto& st = self->state;
  coordinator_config cfg{st.queue,  st.node,    st.leases,  st.now_ms,
                         st.events, st.plugins, st.registry};
  cfg.slot = slot;
  cfg.parent = self;
  auto& entry = st.slots[slot];
  entry = fanout_slot{};
  entry.consumer_id = c.consumer->id;
  entry.actor = self->spawn<caf::linked>(coordinator, std::move(cfg));
  self->send(entry.actor, std::move(c));
}

/// The slot is dropped: its coordinator (and so its shards) ends; a consumer
/// that waited for the slot takes it.
void finish_drop(coordinator_self self, uint16_t slot) {
  auto& st = self->state;
  auto i = st.slots.find(slot);
  if (i == st.slots.end())
    return;
  self->unlink_from(i->second.actor); // its end is no reason for the queue's
  self->send_exit(i->second.actor, caf::exit_reason::user_shutdown);
  auto next = std::move(i->second.next);
  st.slots.erase(i);
  if (next)
    start_slot(self, slot, std::move(*next));
  publish_fanout_metrics(self);
}

/// Consumer of `slot` left: its copy of the messages is purged (durably),
/// then its coordinator stops. Sends skip it from now on.
void drop_slot(coordinator_self self, uint16_t slot) {
  auto& st = self->state;
  auto& entry = st.slots[slot];
  entry.dropping = true;
  if (st.metrics)
    st.metrics->forget_consumer(entry.consumer_id);
  self->request(entry.actor, internal_request_timeout, purge_queue{})
      .then([self, slot](const purge_status&) { finish_drop(self, slot); },
            [self, slot](caf::error& err) {
              // Stopped all the same: the messages stay on disk until a
              // consumer takes the slot again (docs/api.md, "Fan-out").
              spdlog::error("queue {}: purging the copy of a removed consumer failed ({})",
                            self->state.queue.id, self->system().render(err));
              finish_drop(self, slot);
            });
}

} // namespace

bool fans_out(const coordinator_state& st) {
  return st.slot_number == 0 && st.queue.settings.mode == storage::consumer_mode::multi;
}

caf::expected<coordinator_actor>
slot_for(coordinator_self self, const caf::optional<std::string>& consumer_id, bool required) {
  auto& st = self->state;
  if (!fans_out(st))
    return coordinator_actor{};
  if (!consumer_id) {
    if (!required)
      return coordinator_actor{};
    return make_error(errc::invalid_request,
                      "consumer_id is required: queue '" + st.queue.name
                          + "' fans out to several consumers (settings.consumer_mode \"multi\"), "
                            "so name the consumer whose copy of the messages this is for (GET "
                            ".../consumers lists them)");
  }
  if (st.consumer && st.consumer->id == *consumer_id)
    return coordinator_actor{};
  for (const auto& [slot, entry] : st.slots)
    if (!entry.dropping && entry.consumer_id == *consumer_id)
      return entry.actor;
  return make_error(errc::consumer_not_found, "consumer_id: consumer '" + *consumer_id
                                                  + "' does not exist on queue '" + st.queue.name
                                                  + "'");
}

namespace {

/// Stores `items` (their ids assigned) in every coordinator of `targets`,
/// then calls `done` once: with no error when every copy is synced, else
/// with the first error.
void store_copies(coordinator_self self, std::vector<coordinator_actor> targets,
                  std::vector<append_item> items, std::function<void(caf::error)> done) {
  if (targets.empty() || items.empty()) {
    done(caf::error{});
    return;
  }
  auto pending = std::make_shared<size_t>(targets.size());
  for (const auto& target : targets)
    self->request(target, data_path_wait, store_messages{items, caf::none, true})
        .then(
            [pending, done](caf::ok_atom) {
              if (*pending != SIZE_MAX && --*pending == 0)
                done(caf::error{});
            },
            [pending, done](caf::error& e) {
              if (*pending == SIZE_MAX)
                return;
              *pending = SIZE_MAX; // answer once, with the first error
              done(std::move(e));
            });
}

/// Answers a send's `rp` with `ids` (or the error) once its copies are stored.
auto answer_send(coordinator_self self, caf::typed_response_promise<sent_messages> rp,
                 std::vector<std::string> ids) {
  return [self, rp, ids = std::move(ids)](caf::error err) mutable {
    if (err)
      rp.deliver(std::move(err));
    else
      rp.deliver(sent_messages{fanout_stats(self->state), std::move(ids)});
  };
}

} // namespace

caf::result<sent_messages> fanout_send(coordinator_self self, send_messages& req) {
  auto& st = self->state;
  std::vector<append_item> items;
  if (auto err = to_append_items(req, st.queue.settings.delivery_delay, st.now_ms(), items);
      !err.empty())
    return make_error(errc::invalid_request, err);
  std::vector<std::string> ids;
  for (auto& item : items) {
    item.id = next_message_id(st); // every copy the same id
    ids.push_back(item.id);
  }
  auto rp = self->make_response_promise<sent_messages>();
  shard_append gate{items};
  gate.dedup_window_ms = int64_t{st.queue.settings.dedup_window_seconds} * 1000;
  if (!wants_dedup(gate)) {
    auto targets = live_slots(st);
    targets.push_back(caf::actor_cast<coordinator_actor>(self)); // slot 0: `store_messages`
    for (auto& item : items)
      item.dedup_id.clear();
    store_copies(self, std::move(targets), std::move(items), answer_send(self, rp, std::move(ids)));
    return rp;
  }
  // Dedup ids: slot 0's shard checks them (docs/api.md, "Deduplicated sends")
  // and stores its copy of the new messages with their dedup entries; the
  // other slots then get copies of exactly those. A message is new when the
  // shard answers with the id given to it here, a repeat when it answers
  // with the original's.
  size_t idx = 0;
  for (const auto& item : items)
    if (!item.dedup_id.empty()) {
      idx = dedup_shard(item.dedup_id, st.shards.size());
      break;
    }
  self->request(st.shards[idx].actor, data_path_wait, std::move(gate))
      .then(
          [self, idx, rp, items = std::move(items)](sent_messages& sent) mutable {
            auto& s = self->state;
            // Through the handler every shard report takes: it also wakes
            // slot 0's push consumer and long polls.
            self->send(self, shard_stats{static_cast<uint16_t>(s.shard_base() + idx), sent.stats});
            std::vector<append_item> fresh;
            for (size_t i = 0; i < items.size() && i < sent.ids.size(); ++i)
              if (sent.ids[i] == items[i].id) {
                items[i].dedup_id.clear();
                fresh.push_back(std::move(items[i]));
              }
            store_copies(self, live_slots(s), std::move(fresh),
                         answer_send(self, rp, std::move(sent.ids)));
          },
          [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
  return rp;
}

caf::result<caf::ok_atom> fanout_store(coordinator_self self, store_messages& req,
                                       const std::function<caf::result<caf::ok_atom>()>& own) {
  if (req.consumer_id) {
    auto to = slot_for(self, req.consumer_id, false);
    if (to && !*to)
      return own(); // slot 0's consumer
    if (to)
      return self->delegate(*to, std::move(req));
  }
  auto targets = live_slots(self->state);
  targets.push_back(caf::actor_cast<coordinator_actor>(self));
  auto rp = self->make_response_promise<caf::ok_atom>();
  store_copies(self, std::move(targets), std::move(req.items), [rp](caf::error err) mutable {
    if (err)
      rp.deliver(std::move(err));
    else
      rp.deliver(caf::ok_atom::value);
  });
  return rp;
}

queue_stats fanout_stats(const coordinator_state& st) {
  auto out = st.stats();
  for (const auto& [slot, entry] : st.slots)
    if (!entry.dropping)
      take_max(out, entry.stats);
  return out;
}

bool fanout_ready(const coordinator_state& st) {
  return std::all_of(st.slots.begin(), st.slots.end(),
                     [](const auto& s) { return s.second.ready || s.second.dropping; });
}

consumer_backlogs backlogs_of(const coordinator_state& st) {
  consumer_backlogs out;
  if (!fans_out(st))
    return out;
  if (st.consumer)
    out.consumers.push_back({st.consumer->id, st.stats()});
  for (const auto& [slot, entry] : st.slots)
    if (!entry.dropping)
      out.consumers.push_back({entry.consumer_id, entry.stats});
  return out;
}

void publish_fanout_metrics(coordinator_self self) {
  auto& st = self->state;
  if (!st.metrics)
    return;
  auto s = fanout_stats(st);
  st.metrics->set_backlog(s.backlog_count, s.backlog_bytes, s.oldest_message_timestamp_ms,
                          s.delayed_count, s.in_flight_count);
  for (const auto& c : backlogs_of(st).consumers)
    st.metrics->set_consumer_backlog(c.consumer_id, c.stats.backlog_count);
}

void apply_consumer_set(coordinator_self self, consumer_set& set,
                        const std::function<void(consumer_changed&)>& apply_own) {
  auto& st = self->state;
  consumer_changed own;
  std::map<uint16_t, consumer_changed> wanted;
  for (auto& c : set.consumers) {
    if (!c.consumer)
      continue;
    auto slot = c.consumer->slot;
    if (slot == 0)
      own = std::move(c);
    else
      wanted.emplace(slot, std::move(c));
  }
  if (st.metrics && st.consumer && (!own.consumer || own.consumer->id != st.consumer->id))
    st.metrics->forget_consumer(st.consumer->id); // slot 0's consumer left
  apply_own(own);
  std::vector<uint16_t> to_drop;
  for (auto& [slot, entry] : st.slots) {
    auto w = wanted.find(slot);
    if (w != wanted.end() && !entry.dropping && w->second.consumer->id == entry.consumer_id) {
      self->send(entry.actor, std::move(w->second)); // its settings, script or DLQ changed
      wanted.erase(w);
      continue;
    }
    if (!entry.dropping)
      to_drop.push_back(slot);
    entry.next = caf::none;
    if (w != wanted.end()) {
      entry.next = std::move(w->second); // takes the slot once it is empty
      wanted.erase(w);
    }
  }
  for (auto& [slot, c] : wanted)
    start_slot(self, slot, std::move(c));
  for (auto slot : to_drop)
    drop_slot(self, slot);
}

void on_slot_stats(coordinator_self self, const slot_stats& s) {
  auto& st = self->state;
  auto i = st.slots.find(s.slot);
  if (i == st.slots.end())
    return;
  i->second.stats = s.stats;
  i->second.ready = true;
  publish_fanout_metrics(self);
}

std::vector<coordinator_actor> live_slots(const coordinator_state& st) {
  std::vector<coordinator_actor> out;
  for (const auto& [slot, entry] : st.slots)
    if (!entry.dropping)
      out.push_back(entry.actor);
  return out;
}

void purge_slots(coordinator_self self, const std::vector<coordinator_actor>& slots,
                 const std::function<void(caf::error)>& done) {
  for (const auto& slot : slots)
    self->request(slot, internal_request_timeout, purge_queue{})
        .then([done](const purge_status&) { done({}); },
              [done](caf::error& e) { done(std::move(e)); });
}

bool is_slot(const coordinator_state& st, const caf::actor_addr& source) {
  return std::any_of(st.slots.begin(), st.slots.end(),
                     [&source](const auto& s) { return s.second.actor.address() == source; });
}

} // namespace sluice
