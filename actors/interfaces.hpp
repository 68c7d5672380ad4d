#pragma once

#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/messages.hpp"

/// Every typed actor interface of Sluice. A message an actor does not
/// understand is a compile error at the sender.

namespace sluice {

/// One per queue: holds the queue's settings (and, later, its shard map and
/// consumers). Receives a `queue_record` whenever the hub changes the queue.
using coordinator_actor =
    caf::typed_actor<caf::reacts_to<storage::queue_record>,
                     caf::replies_to<caf::get_atom>::with<storage::queue_record>>;

/// One per process: the registry of accounts, queues and tokens. Every
/// metadata change is persisted (synced) before it is answered.
using hub_actor =
    caf::typed_actor<caf::replies_to<authenticate>::with<principal>,
                     caf::replies_to<create_queue>::with<storage::queue_record>,
                     caf::replies_to<list_queues>::with<queue_list>,
                     caf::replies_to<get_queue>::with<storage::queue_record>,
                     caf::replies_to<update_queue>::with<storage::queue_record>,
                     caf::replies_to<delete_queue>::with<caf::ok_atom>,
                     caf::replies_to<create_token>::with<token_created>,
                     caf::replies_to<list_tokens>::with<token_list>,
                     caf::replies_to<revoke_token>::with<caf::ok_atom>, caf::reacts_to<write_done>>;

} // namespace sluice
