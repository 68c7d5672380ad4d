#include "actors/push/push_consumer.hpp"
#include "actors/timeouts.hpp"

#include <algorithm>
#include <chrono>

#include "actors/push/consumer_shard.hpp"

namespace sluice {

namespace {

/// Leases never outlive this (the longest pull visibility timeout, docs/api.md).
constexpr int64_t max_visibility_ms = 43200000;
/// Extra lease time beyond the wall-clock limit, for settling.
constexpr int64_t settle_margin_ms = 60000;
/// Lease requests a push consumer keeps under way at once.
constexpr uint32_t max_parallel_leases = 4;
/// After a failed lease request (e.g. the disk refused a write), try again after this.
constexpr auto lease_retry_after = std::chrono::seconds(1);

using self_ptr = push_consumer_actor::stateful_pointer<push_consumer_state>;

void pump(self_ptr self);

void quit_if_done(self_ptr self) {
  auto& st = self->state;
  if (st.stopping && st.busy == 0 && st.leasing == 0 && st.filling.empty())
    self->quit();
}

/// Messages waiting for a consumer: every stored one that is neither delayed nor in
/// flight, the part of a deep backlog paged out of the shards' windows included (the
/// controller must see the whole backlog, not just the window's `ready_count`).
uint64_t waiting_messages(const queue_stats& s) {
  const uint64_t busy = s.delayed_count + s.in_flight_count;
  return s.backlog_count > busy ? s.backlog_count - busy : 0;
}

/// Hands `messages` to a free consumer shard (spawning one if none is idle)
/// and feeds its report to the controller.
void run(self_ptr self, std::vector<pulled_message> batch) {
  auto& st = self->state;
  run_batch job{st.settings.queue_name, st.settings.script.plugin, st.settings.script.env,
                std::move(batch), st.settings.consumer.id};
  consumer_shard_actor shard;
  if (st.idle.empty()) {
    shard =
        self->spawn(consumer_shard, consumer_shard_config{st.coordinator, st.plugins, st.metrics});
  } else {
    shard = std::move(st.idle.back());
    st.idle.pop_back();
  }
  ++st.busy;
  auto done = [self, shard](bool failed, size_t messages, int64_t duration_ms, uint64_t ready) {
    auto& s = self->state;
    --s.busy;
    batch_outcome outcome;
    outcome.failed = failed;
    outcome.messages = messages;
    outcome.duration_ms = duration_ms;
    outcome.backlog = ready;
    outcome.in_flight = static_cast<uint32_t>(s.busy);
    using namespace std::chrono;
    auto now = duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
    auto target = s.controller.after_batch(outcome, now);
    if (s.metrics)
      s.metrics->set_concurrency(target, s.controller.max());
    // Keep idle shards only up to the target; the others end once unreferenced.
    if (s.busy + s.idle.size() < target)
      s.idle.push_back(shard);
    pump(self);
    quit_if_done(self);
  };
  auto size = job.messages.size();
  // No deadline here: the consumer shard answers every job, after the
  // plugin host's own limit on the handler at the latest.
  self->request(shard, caf::infinite, std::move(job))
      .then(
          [done](const batch_report& r) {
            done(r.failed, r.messages, r.duration_ms, waiting_messages(r.stats));
          },
          [done, size](caf::error&) { done(true, size, 0, 0); });
}

uint32_t batch_size(const push_consumer_state& st) {
  return std::max<uint32_t>(1, st.settings.consumer.batch_size);
}

/// Hands the batch being filled out, whatever its size.
void dispatch(self_ptr self) {
  auto& st = self->state;
  if (st.filling.empty())
    return;
  ++st.fill_generation; // its timer is void now
  run(self, std::move(st.filling));
  st.filling.clear();
}

void on_leased(self_ptr self, pulled_batch& b, uint32_t asked) {
  auto& st = self->state;
  --st.leasing;
  bool short_of_asked = b.messages.size() < asked;
  if (st.filling.empty() && b.messages.size() == batch_size(st)) {
    run(self, std::move(b.messages)); // a full batch at once, the common case under load
  } else {
    bool first = st.filling.empty() && !b.messages.empty();
    for (auto& m : b.messages) {
      st.filling.push_back(std::move(m));
      if (st.filling.size() == batch_size(st)) {
        dispatch(self);
        first = true; // what follows starts a new batch
      }
    }
    if (st.stopping || st.settings.paused || st.settings.consumer.max_wait_time_ms == 0)
      dispatch(self); // nothing more will be added: out it goes
    else if (first && !st.filling.empty())
      self->delayed_send(self, std::chrono::milliseconds(st.settings.consumer.max_wait_time_ms),
                         fill_due{st.fill_generation});
  }
  // Fewer than asked for: nothing more is ready. Ask to be woken once the
  // last lease under way is back.
  if (short_of_asked && st.leasing == 0 && !st.stopping)
    self->send(st.coordinator, push_idle{});
  else
    pump(self);
  quit_if_done(self);
}

void lease(self_ptr self, uint32_t n) {
  auto& st = self->state;
  ++st.leasing;
  self->request(st.coordinator, internal_request_timeout, push_lease{n, st.visibility_ms()})
      .then([self, n](pulled_batch& b) { on_leased(self, b, n); },
            [self](caf::error&) {
              --self->state.leasing;
              // Try again later: a `messages_ready` would not come for these.
              self->delayed_send(self, lease_retry_after, messages_ready{});
              quit_if_done(self);
            });
}

/// Leases more messages when delivery is on and a consumer shard is free:
/// while a partial batch fills, one lease at a time for what it lacks; else
/// whole batches, several at once (up to `max_parallel_leases`) so that the
/// round trips to the storage shards overlap.
void pump(self_ptr self) {
  auto& st = self->state;
  if (st.stopping || st.settings.paused)
    return;
  if (!st.filling.empty()) {
    if (st.leasing == 0)
      lease(self, batch_size(st) - static_cast<uint32_t>(st.filling.size()));
    return;
  }
  while (st.leasing < max_parallel_leases && st.busy + st.leasing < st.controller.target())
    lease(self, batch_size(st));
}

void configure(self_ptr self, push_settings&& s) {
  auto& st = self->state;
  st.settings = std::move(s);
  st.controller.configure(st.settings.consumer.max_concurrency, st.settings.consumer.batch_size);
  if (st.metrics)
    st.metrics->set_concurrency(st.controller.target(), st.controller.max());
  if (st.settings.paused)
    dispatch(self); // what is leased already was ready before the pause
  pump(self);
}

} // namespace

int64_t push_consumer_state::visibility_ms() const {
  auto limit = static_cast<int64_t>(plugins->config().default_limit.count());
  return std::min(max_visibility_ms,
                  int64_t{settings.consumer.max_wait_time_ms} + limit + settle_margin_ms);
}

push_consumer_actor::behavior_type
push_consumer(push_consumer_actor::stateful_pointer<push_consumer_state> self,
              push_consumer_config cfg) {
  auto& st = self->state;
  st.coordinator = std::move(cfg.coordinator);
  st.plugins = std::move(cfg.plugins);
  st.metrics = std::move(cfg.metrics);
  configure(self, std::move(cfg.settings));
  return {
      [=](push_settings& s) { configure(self, std::move(s)); },
      [=](const messages_ready&) { pump(self); },
      [=](const fill_due& due) {
        if (due.generation != self->state.fill_generation)
          return;
        dispatch(self);
        pump(self);
      },
      [=](const push_stop&) {
        self->state.stopping = true;
        dispatch(self);
        quit_if_done(self);
      },
  };
}

} // namespace sluice
