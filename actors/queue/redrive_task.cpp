#include "actors/queue/redrive_task.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <vector>

#include "actors/errc.hpp"
#include "actors/timeouts.hpp"

namespace sluice {

int64_t redrive_pause_ms(uint64_t n, uint32_t per_second) {
  if (per_second == 0)
    return 0;
  return static_cast<int64_t>(n * 1000 / per_second);
}

uint32_t redrive_next_batch(const storage::redrive_record& task) {
  uint64_t n = redrive_batch_size;
  if (task.max_per_second > 0)
    n = std::min<uint64_t>(n, task.max_per_second);
  n = std::min(n, task.to_move > task.moved ? task.to_move - task.moved : 0);
  return static_cast<uint32_t>(n);
}

std::string redrive_destination(const storage::redrive_record& task, const pulled_message& m) {
  if (!task.destination_queue_id.empty())
    return task.destination_queue_id;
  return m.dead_letter ? m.dead_letter->queue_id : std::string{};
}

namespace {

using self_ptr = redrive_task_actor::stateful_pointer<redrive_task_state>;
using storage::redrive_state;

void report(self_ptr self, redrive_state state, std::string reason = {}) {
  auto& t = self->state.task;
  self->send(self->state.hub, redrive_progress{t.account, t.source_queue_id, t.id, t.moved, state,
                                               std::move(reason)});
}

void finish(self_ptr self, redrive_state state, std::string reason = {}) {
  report(self, state, std::move(reason));
  self->quit();
}

/// What one batch leads to: the lease ids stored in their destination (to
/// remove from the source) and those that are not (to give back), and the
/// first reason the batch cannot go on.
struct batch_outcome {
  std::vector<std::string> moved;
  std::vector<std::string> kept;
  std::string failure;
};

/// Removes the moved messages from the source and gives the others back,
/// then goes on (after the rate limit's pause) or ends.
void settle(self_ptr self, std::shared_ptr<batch_outcome> out) {
  auto& st = self->state;
  ack_messages ack{st.task.account, st.task.source_queue_id, out->moved, {}};
  for (const auto& lease : out->kept)
    ack.retries.push_back({lease, int64_t{0}});
  auto n = out->moved.size();
  self->request(st.source, internal_request_timeout, std::move(ack))
      .then(
          [self, out, n](const ack_result&) {
            auto& s = self->state;
            s.busy = false;
            s.task.moved += n;
            if (!out->failure.empty()) {
              finish(self, redrive_state::failed, out->failure);
              return;
            }
            report(self, redrive_state::running);
            auto pause = redrive_pause_ms(n, s.task.max_per_second);
            if (pause == 0)
              self->send(self, redrive_step{});
            else
              self->delayed_send(self, std::chrono::milliseconds(pause), redrive_step{});
          },
          [self, n](const caf::error& e) {
            // Stored in their destination, still in the source: they come back
            // there when their take ends (at least once, docs/api.md).
            self->state.busy = false;
            self->state.task.moved += n;
            finish(self, redrive_state::failed,
                   "could not remove " + std::to_string(n)
                       + " moved messages from the source queue: " + error_message(e));
          });
}

/// Gives the whole batch back and fails with `reason`.
void give_back(self_ptr self, const pulled_batch& b, std::string reason) {
  auto out = std::make_shared<batch_outcome>();
  for (const auto& m : b.messages)
    out->kept.push_back(m.lease_id);
  out->failure = std::move(reason);
  settle(self, out);
}

/// Stores each message of `b` in its destination (one request per
/// destination), then settles the batch.
void move_batch(self_ptr self, pulled_batch& b) {
  auto& st = self->state;
  if (b.messages.empty()) {
    const auto& s = b.stats;
    if (s.backlog_count > s.ready_count + s.delayed_count + s.in_flight_count) {
      // Messages on disk only: the shards are paging them in.
      st.busy = false;
      self->delayed_send(self, std::chrono::milliseconds(redrive_page_wait_ms), redrive_step{});
      return;
    }
    finish(self, redrive_state::completed);
    return;
  }
  struct group {
    coordinator_actor dest;
    std::vector<append_item> items;
    std::vector<std::string> leases;
    caf::optional<std::string> consumer_id; ///< a fan-out queue's consumer that dead-lettered
  };
  // By destination and the consumer that dead-lettered them: on a fan-out
  // queue each goes back to that consumer's copy only.
  std::map<std::pair<std::string, std::string>, group> groups;
  for (auto& m : b.messages) {
    auto dest = redrive_destination(st.task, m);
    if (dest.empty()) {
      give_back(self, b,
                "message " + m.id
                    + " was not dead-lettered (it has no source queue); start the task with "
                      "destination_queue_id to move such messages");
      return;
    }
    auto c = st.queues->find(st.task.account, dest);
    if (!c) {
      give_back(self, b,
                "the destination queue " + dest + " of message " + m.id + " no longer exists");
      return;
    }
    auto consumer = m.dead_letter ? m.dead_letter->consumer_id : std::string{};
    auto& g = groups[{dest, consumer}];
    g.dest = *c;
    if (!consumer.empty())
      g.consumer_id = consumer;
    // A fresh message there: no origin, delivery state from scratch.
    g.items.push_back({std::move(m.body), m.type, 0, m.timestamp_ms, m.id, caf::none});
    g.leases.push_back(m.lease_id);
  }
  auto out = std::make_shared<batch_outcome>();
  auto pending = std::make_shared<size_t>(groups.size());
  for (auto& [key, g] : groups) {
    const auto& id = key.first;
    auto leases = std::make_shared<std::vector<std::string>>(std::move(g.leases));
    auto done = [self, out, pending, leases](const caf::error* err, const std::string& dest) {
      auto& to = err ? out->kept : out->moved;
      to.insert(to.end(), leases->begin(), leases->end());
      if (err && out->failure.empty())
        out->failure = "could not store messages in queue " + dest + ": " + error_message(*err);
      if (--*pending == 0)
        settle(self, out);
    };
    self->request(g.dest, internal_request_timeout,
                  store_messages{std::move(g.items), std::move(g.consumer_id)})
        .then([done, dest = id](caf::ok_atom) { done(nullptr, dest); },
              [done, dest = id](const caf::error& e) { done(&e, dest); });
  }
}

void step(self_ptr self) {
  auto& st = self->state;
  if (st.busy)
    return;
  if (st.stopping) {
    finish(self, redrive_state::cancelled);
    return;
  }
  auto n = redrive_next_batch(st.task);
  if (n == 0) {
    finish(self, redrive_state::completed);
    return;
  }
  st.busy = true;
  self->request(st.source, internal_request_timeout, redrive_take{n, redrive_take_visibility_ms})
      .then([self](pulled_batch& b) { move_batch(self, b); },
            [self](const caf::error& e) {
              self->state.busy = false;
              finish(self, redrive_state::failed,
                     "could not take messages from the source queue: " + error_message(e));
            });
}

} // namespace

redrive_task_actor::behavior_type
redrive_task(redrive_task_actor::stateful_pointer<redrive_task_state> self,
             redrive_task_config cfg) {
  auto& st = self->state;
  st.task = std::move(cfg.task);
  st.source = std::move(cfg.source);
  st.queues = std::move(cfg.queues);
  st.hub = std::move(cfg.hub);
  self->send(self, redrive_step{});
  return {
      [=](redrive_step) { step(self); },
      [=](redrive_stop) {
        self->state.stopping = true;
        step(self); // ends now unless a batch is under way, else once it is settled
      },
  };
}

} // namespace sluice
