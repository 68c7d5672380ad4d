#pragma once

#include "actors/hub.hpp"

/// The hub's message handlers, one per request type, split by concern
/// (hub_queues.cpp, hub_tokens.cpp). Only `hub()` calls them.

namespace sluice::hub_handlers {

using self_ptr = hub_actor::stateful_pointer<hub_state>;

caf::result<principal> on_authenticate(self_ptr self, const authenticate& req);
caf::result<storage::queue_record> on_create(self_ptr self, const create_queue& req);
caf::result<storage::queue_record> on_get(self_ptr self, const get_queue& req);
caf::result<storage::queue_record> on_update(self_ptr self, const update_queue& req);
caf::result<caf::ok_atom> on_delete(self_ptr self, const delete_queue& req);
caf::result<token_created> on_create_token(self_ptr self, const create_token& req);
token_list on_list_tokens(self_ptr self, const list_tokens& req);
caf::result<caf::ok_atom> on_revoke_token(self_ptr self, const revoke_token& req);

/// Starts the coordinator of a queue (recovered or just created).
void spawn_coordinator(self_ptr self, const storage::queue_record& q);

} // namespace sluice::hub_handlers
