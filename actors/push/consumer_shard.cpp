#include "actors/push/consumer_shard.hpp"

#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/errc.hpp"

namespace sluice {

namespace {

using self_ptr = consumer_shard_actor::stateful_pointer<consumer_shard_state>;

invocation to_invocation(run_batch& job) {
  invocation inv;
  inv.queue_name = std::move(job.queue_name);
  inv.env.insert(job.env.begin(), job.env.end());
  inv.messages.reserve(job.messages.size());
  for (auto& m : job.messages) {
    plugin_message pm;
    pm.id = std::move(m.id);
    pm.timestamp_ms = m.timestamp_ms;
    pm.body = std::move(m.body);
    pm.content_type = storage::content_type_name(static_cast<storage::content_type>(m.type));
    pm.attempts = m.attempts;
    inv.messages.push_back(std::move(pm));
  }
  return inv;
}

caf::result<batch_report> on_run(self_ptr self, run_batch& job) {
  auto& st = self->state;
  if (st.running)
    return make_error(errc::overloaded, "consumer shard is busy"); // the push consumer's bug
  st.running = true;
  st.lease_ids.clear();
  st.queue_name = job.queue_name;
  st.consumer_id = job.consumer_id;
  for (const auto& m : job.messages)
    st.lease_ids.push_back(m.lease_id);
  st.pending = self->make_response_promise<batch_report>();
  auto plugin = job.plugin;
  auto handle = caf::actor_cast<caf::actor>(self);
  auto started = std::chrono::steady_clock::now();
  // `done` runs on a plugin host thread: only post the result.
  st.plugins->invoke(plugin, to_invocation(job), [handle, started](invocation_result r) {
    using namespace std::chrono;
    auto us = duration_cast<microseconds>(steady_clock::now() - started).count();
    caf::anon_send(handle, invocation_finished{std::move(r), static_cast<int64_t>(us)});
  });
  return st.pending;
}

/// Turns the plugin's decisions into one ack request, then reports.
void on_finished(self_ptr self, invocation_finished& done) {
  auto& st = self->state;
  if (!st.running)
    return;
  auto report = std::make_shared<batch_report>();
  auto duration_ms = done.duration_us / 1000;
  if (st.metrics)
    st.metrics->invoked(static_cast<double>(done.duration_us) / 1e6, done.result.failed);
  if (done.result.failed)
    spdlog::warn("queue '{}': a batch of {} failed after {} ms: {}; its messages not acked "
                 "explicitly are retried",
                 st.queue_name, st.lease_ids.size(), duration_ms, done.result.error);
  report->failed = done.result.failed;
  report->duration_ms = duration_ms;
  report->messages = static_cast<uint32_t>(st.lease_ids.size());
  ack_messages settle;
  settle.consumer_id = st.consumer_id;
  // What a dead-letter move will name as the messages' last error.
  if (done.result.failed)
    settle.failure = done.result.error;
  for (size_t i = 0; i < st.lease_ids.size(); ++i) {
    // A result without decisions (cannot happen) retries everything.
    auto d = i < done.result.decisions.size() ? done.result.decisions[i] : retry_decision();
    if (d.verdict == message_verdict::ack) {
      settle.acks.push_back(std::move(st.lease_ids[i]));
    } else {
      caf::optional<int64_t> delay;
      if (d.delay_seconds)
        delay = int64_t{*d.delay_seconds};
      settle.retries.push_back({std::move(st.lease_ids[i]), delay});
    }
  }
  auto finish = [self, report] {
    auto& s = self->state;
    s.running = false;
    s.pending.deliver(std::move(*report));
  };
  // No deadline: a consumer shard ends once unreferenced, and a pending
  // timeout would hold it alive. The coordinator answers or, if it dies,
  // CAF fails the request.
  self->request(st.coordinator, caf::infinite, std::move(settle))
      .then(
          [report, finish](const ack_result& r) {
            report->stats = r.stats;
            finish();
          },
          [self, report, finish](caf::error& e) {
            // Not settled: the leases expire and the messages come back.
            spdlog::warn("queue '{}': could not settle a batch: {}", self->state.queue_name,
                         error_message(e));
            report->failed = true;
            finish();
          });
}

} // namespace

consumer_shard_actor::behavior_type
consumer_shard(consumer_shard_actor::stateful_pointer<consumer_shard_state> self,
               consumer_shard_config cfg) {
  self->state.coordinator = std::move(cfg.coordinator);
  self->state.plugins = std::move(cfg.plugins);
  self->state.metrics = std::move(cfg.metrics);
  // A coordinator that ends (the hub stopping, the queue deleted) may take a settle
  // request with it unanswered: CAF 0.17 sends nothing for a dropped promise. The shard
  // would wait for ever, and a stopping server with it (the actor system waits for every
  // actor). So it ends with its coordinator; its leases expire and the messages come back.
  self->monitor(self->state.coordinator);
  self->set_down_handler([self](caf::down_msg&) {
    auto& st = self->state;
    if (st.pending.pending())
      st.pending.deliver(make_error(errc::overloaded, "the queue's coordinator stopped"));
    self->quit();
  });
  return {
      [=](run_batch& job) { return on_run(self, job); },
      [=](invocation_finished& done) { on_finished(self, done); },
  };
}

} // namespace sluice
