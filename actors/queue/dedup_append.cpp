#include "actors/queue/dedup_append.hpp"

#include <algorithm>
#include <utility>

#include <caf/send.hpp>

#include "actors/errc.hpp"

namespace sluice {

namespace {

/// How soon a failed dedup sweep is tried again, and the least time between
/// two sweeps that found nothing more to delete.
constexpr int64_t sweep_pause_ms = 1000;
/// Between two sweeps when the last one hit `dedup_sweep_limit`.
constexpr int64_t sweep_busy_pause_ms = 100;

caf::actor handle(shard_self self) {
  return caf::actor_cast<caf::actor>(self);
}

bool blocked(const shard_dedup& d, const std::vector<std::string>& ids) {
  return std::any_of(ids.begin(), ids.end(), [&](const auto& id) { return d.busy.count(id) > 0; });
}

void start(shard_self self, pending_dedup_append p) {
  auto& st = self->state;
  auto& d = st.dedup;
  if (blocked(d, p.ids)) {
    d.parked.push_back(std::move(p));
    return;
  }
  for (const auto& id : p.ids)
    d.busy.insert(id);
  auto token = d.next_token++;
  storage::find_dedup cmd{p.ids, st.now_ms()};
  d.looking_up.emplace(token, std::move(p));
  st.store->lookup_dedup(std::move(cmd), [h = handle(self), token](auto r) {
    dedup_looked_up msg;
    msg.token = token;
    if (r) {
      msg.hits = std::move(*r);
    } else {
      msg.failure = static_cast<uint8_t>(r.error().code);
      msg.error = r.error().message;
    }
    caf::anon_send(h, std::move(msg));
  });
}

/// The append holding `ids` is over: frees them and starts, oldest first,
/// every parked append no longer held up.
void finish(shard_self self, const std::vector<std::string>& ids) {
  auto& d = self->state.dedup;
  for (const auto& id : ids)
    d.busy.erase(id);
  auto parked = std::exchange(d.parked, {});
  for (auto& p : parked)
    start(self, std::move(p)); // parks again what is still held up, in order
}

} // namespace

void dedup_append(shard_self self, shard_append req,
                  caf::typed_response_promise<sent_messages> rp) {
  pending_dedup_append p{std::move(req), std::move(rp), {}};
  for (const auto& item : p.request.items)
    if (!item.dedup_id.empty()
        && std::find(p.ids.begin(), p.ids.end(), item.dedup_id) == p.ids.end())
      p.ids.push_back(item.dedup_id);
  start(self, std::move(p));
}

void on_dedup_looked_up(shard_self self, dedup_looked_up& msg) {
  auto& st = self->state;
  auto it = st.dedup.looking_up.find(msg.token);
  if (it == st.dedup.looking_up.end())
    return;
  auto p = std::move(it->second);
  st.dedup.looking_up.erase(it);
  if (msg.failure != 0) {
    report_storage_error(st.env.metrics, "lookup_dedup", msg.error);
    p.rp.deliver(storage_error(msg.failure, "could not read the dedup ids", msg.error));
    finish(self, p.ids);
    return;
  }
  auto plan = std::make_shared<dedup_plan>(plan_dedup(p.request.items, msg.hits));
  if (plan->store.empty()) { // every item repeats one stored before
    p.rp.deliver(sent_messages{st.stats(), answer_ids(*plan, {})});
    finish(self, p.ids);
    return;
  }
  auto expires = st.now_ms() + p.request.dedup_window_ms;
  auto items = std::move(plan->store);
  append_items(self, std::move(items), expires,
               [self, plan, rp = p.rp, ids = p.ids](caf::expected<sent_messages> r) mutable {
                 if (r)
                   rp.deliver(sent_messages{r->stats, answer_ids(*plan, std::move(r->ids))});
                 else
                   rp.deliver(std::move(r.error()));
                 finish(self, ids);
               });
}

void sweep_dedup_if_due(shard_self self, int64_t now) {
  auto& d = self->state.dedup;
  if (d.sweeping || now < d.sweep_at)
    return;
  d.sweeping = true;
  d.written_since_sweep = INT64_MAX;
  self->state.store->sweep_dedup({now, dedup_sweep_limit}, [h = handle(self)](auto r) {
    dedup_swept msg;
    if (r) {
      msg.result = *r;
    } else {
      msg.failure = static_cast<uint8_t>(r.error().code);
      msg.error = r.error().message;
    }
    caf::anon_send(h, std::move(msg));
  });
}

void on_dedup_swept(shard_self self, dedup_swept& msg) {
  auto& st = self->state;
  auto& d = st.dedup;
  d.sweeping = false;
  auto now = st.now_ms();
  if (msg.failure != 0) {
    report_storage_error(st.env.metrics, "sweep_dedup", msg.error);
    d.sweep_at = now + sweep_pause_ms;
  } else {
    const auto& r = msg.result;
    auto pause = r.removed >= dedup_sweep_limit ? sweep_busy_pause_ms : sweep_pause_ms;
    // Entries written while the sweep read may not be in its answer.
    d.sweep_at =
        std::min(r.next_expiry_ms == 0 ? INT64_MAX : std::max(r.next_expiry_ms, now + pause),
                 d.written_since_sweep == INT64_MAX ? INT64_MAX
                                                    : std::max(d.written_since_sweep, now + pause));
  }
  schedule_tick(self);
}

} // namespace sluice
