#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <caf/optional.hpp>
#include <caf/result.hpp>

#include "actors/interfaces.hpp"

/// Fan-out queues (`settings.consumer_mode` "multi", docs/architecture.md
/// "Fan-out"): each consumer reads its own copy of the queue, a slot of
/// `default_shard_count` shards. The queue's coordinator serves slot 0 itself
/// and runs one coordinator per further slot (a "slot coordinator", linked to
/// it, whose shards are numbered from slot * default_shard_count); these
/// functions are the queue coordinator's side of it. All run on the queue
/// coordinator's actor.

namespace sluice {

struct coordinator_state;
using coordinator_self = coordinator_actor::stateful_pointer<coordinator_state>;

/// A further consumer's slot, as the queue's coordinator sees it.
struct fanout_slot {
  std::string consumer_id;
  coordinator_actor actor;
  queue_stats stats;     ///< as last reported by the slot's coordinator
  bool ready = false;    ///< reported at least once (its shards recovered)
  bool dropping = false; ///< its consumer left: being purged, then stopped
  /// The consumer that takes the slot once the drop is done.
  caf::optional<consumer_changed> next;
};

/// True for the coordinator of a fan-out queue's slot 0, which routes pulls
/// and acks by consumer and copies sends to every slot.
bool fans_out(const coordinator_state& st);

/// The coordinator that serves `consumer_id`: an invalid handle for this one
/// (not a fan-out queue, slot 0's consumer, or none named where `required`
/// is false); errors: `invalid_request` naming consumer_id when it is missing
/// and required, `consumer_not_found` when no consumer of the queue has it.
caf::expected<coordinator_actor>
slot_for(coordinator_self self, const caf::optional<std::string>& consumer_id, bool required);

/// Answers `req` (a pull, ack, peek or ref deletion) with `own()` here, or
/// hands it to the slot coordinator of the consumer it names (`slot_for`).
template <class Result, class Self, class Request, class Own>
caf::result<Result> routed(Self self, const Request& req, bool required, Own own) {
  auto to = slot_for(self, req.consumer_id, required);
  if (!to)
    return std::move(to.error());
  if (*to)
    return self->delegate(*to, req);
  return own();
}

/// Stores the messages of `req` in every live slot (the same id, body,
/// content type and timestamps) and answers with their ids once every copy
/// is synced, or with the first error (the copies already stored stay: at
/// least once). Dedup ids are checked by slot 0's shard, which stores its
/// copy first; the other slots get only the messages it found new.
caf::result<sent_messages> fanout_send(coordinator_self self, send_messages& req);

/// Stores `req` on a fan-out queue: in the slot of the consumer it names
/// (here for slot 0's, with `own()`), or, when it names none or one that is
/// gone, in every live slot as a send would.
caf::result<caf::ok_atom> fanout_store(coordinator_self self, store_messages& req,
                                       const std::function<caf::result<caf::ok_atom>()>& own);

/// The backlog of a fan-out queue: per field, the largest over its slots
/// (what the consumer furthest behind still has to process).
queue_stats fanout_stats(const coordinator_state& st);

/// Every slot has reported at least once (`get_stats` waits until then).
bool fanout_ready(const coordinator_state& st);

/// Each consumer's backlog, by slot.
consumer_backlogs backlogs_of(const coordinator_state& st);

/// Publishes the queue's backlog gauges and each consumer's.
void publish_fanout_metrics(coordinator_self self);

/// Starts, updates and drops slot coordinators to match `set`; slot 0's
/// consumer (or none) goes to `apply_own`.
void apply_consumer_set(coordinator_self self, consumer_set& set,
                        const std::function<void(consumer_changed&)>& apply_own);

/// Records the backlog a slot coordinator reported.
void on_slot_stats(coordinator_self self, const slot_stats& s);

/// The slot coordinators that take sends and purges now (not those dropping).
std::vector<coordinator_actor> live_slots(const coordinator_state& st);

/// Purges each of `slots` (what `live_slots` gave), calling `done` with an
/// empty error per purged slot, or with the error of a failed one.
void purge_slots(coordinator_self self, const std::vector<coordinator_actor>& slots,
                 const std::function<void(caf::error)>& done);

/// True if `source` is one of this coordinator's slot coordinators.
bool is_slot(const coordinator_state& st, const caf::actor_addr& source);

} // namespace sluice
