#pragma once

#include <caf/actor_system_config.hpp>
#include <caf/type_id.hpp>

#include "actors/audit_messages.hpp"
#include "actors/cluster_messages.hpp"
#include "actors/data_messages.hpp"
#include "actors/event_messages.hpp"
#include "actors/fanout_messages.hpp"
#include "actors/messages.hpp"
#include "actors/placement_messages.hpp"
#include "actors/push_messages.hpp"
#include "actors/redrive_messages.hpp"
#include "actors/script_messages.hpp"

/// The one type-ID block of Sluice. Every message type is listed here and
/// nowhere else.
CAF_BEGIN_TYPE_ID_BLOCK(sluice, caf::first_custom_type_id)

CAF_ADD_TYPE_ID(sluice, (sluice::storage::queue_settings))
CAF_ADD_TYPE_ID(sluice, (sluice::storage::queue_record))
CAF_ADD_TYPE_ID(sluice, (sluice::principal))
CAF_ADD_TYPE_ID(sluice, (sluice::settings_patch))
CAF_ADD_TYPE_ID(sluice, (sluice::create_queue))
CAF_ADD_TYPE_ID(sluice, (sluice::list_queues))
CAF_ADD_TYPE_ID(sluice, (sluice::get_queue))
CAF_ADD_TYPE_ID(sluice, (sluice::update_queue))
CAF_ADD_TYPE_ID(sluice, (sluice::delete_queue))
CAF_ADD_TYPE_ID(sluice, (sluice::write_done))
CAF_ADD_TYPE_ID(sluice, (sluice::storage::token_record))
CAF_ADD_TYPE_ID(sluice, (sluice::create_token))
CAF_ADD_TYPE_ID(sluice, (sluice::token_created))
CAF_ADD_TYPE_ID(sluice, (sluice::list_tokens))
CAF_ADD_TYPE_ID(sluice, (sluice::revoke_token))
CAF_ADD_TYPE_ID(sluice, (sluice::outgoing_message))
CAF_ADD_TYPE_ID(sluice, (sluice::send_messages))
CAF_ADD_TYPE_ID(sluice, (sluice::queue_stats))
CAF_ADD_TYPE_ID(sluice, (sluice::sent_messages))
CAF_ADD_TYPE_ID(sluice, (sluice::get_stats))
CAF_ADD_TYPE_ID(sluice, (sluice::pull_messages))
CAF_ADD_TYPE_ID(sluice, (sluice::pulled_message))
CAF_ADD_TYPE_ID(sluice, (sluice::pulled_batch))
CAF_ADD_TYPE_ID(sluice, (sluice::retry_item))
CAF_ADD_TYPE_ID(sluice, (sluice::ack_messages))
CAF_ADD_TYPE_ID(sluice, (sluice::ack_result))
CAF_ADD_TYPE_ID(sluice, (sluice::append_item))
CAF_ADD_TYPE_ID(sluice, (sluice::shard_append))
CAF_ADD_TYPE_ID(sluice, (sluice::shard_lease))
CAF_ADD_TYPE_ID(sluice, (sluice::lease_ref))
CAF_ADD_TYPE_ID(sluice, (sluice::shard_ack))
CAF_ADD_TYPE_ID(sluice, (sluice::delivery_settings))
CAF_ADD_TYPE_ID(sluice, (sluice::shard_stats))
CAF_ADD_TYPE_ID(sluice, (sluice::storage::consumer_record))
CAF_ADD_TYPE_ID(sluice, (sluice::consumer_patch))
CAF_ADD_TYPE_ID(sluice, (sluice::put_consumer))
CAF_ADD_TYPE_ID(sluice, (sluice::delete_consumer))
CAF_ADD_TYPE_ID(sluice, (sluice::dead_letters))
CAF_ADD_TYPE_ID(sluice, (sluice::store_messages))
CAF_ADD_TYPE_ID(sluice, (sluice::consumer_changed))
CAF_ADD_TYPE_ID(sluice, (sluice::consumer_set))
CAF_ADD_TYPE_ID(sluice, (sluice::slot_stats))
CAF_ADD_TYPE_ID(sluice, (sluice::consumer_backlog))
CAF_ADD_TYPE_ID(sluice, (sluice::get_consumer_backlogs))
CAF_ADD_TYPE_ID(sluice, (sluice::consumer_backlogs))
CAF_ADD_TYPE_ID(sluice, (sluice::purge_queue))
CAF_ADD_TYPE_ID(sluice, (sluice::get_purge_status))
CAF_ADD_TYPE_ID(sluice, (sluice::purge_status))
CAF_ADD_TYPE_ID(sluice, (sluice::peek_messages))
CAF_ADD_TYPE_ID(sluice, (sluice::delete_refs))
CAF_ADD_TYPE_ID(sluice, (sluice::shard_peek))
CAF_ADD_TYPE_ID(sluice, (sluice::shard_purge))
CAF_ADD_TYPE_ID(sluice, (sluice::storage::subscription_record))
CAF_ADD_TYPE_ID(sluice, (sluice::subscription_list))
CAF_ADD_TYPE_ID(sluice, (sluice::subscription_patch))
CAF_ADD_TYPE_ID(sluice, (sluice::create_subscription))
CAF_ADD_TYPE_ID(sluice, (sluice::update_subscription))
CAF_ADD_TYPE_ID(sluice, (sluice::get_subscription))
CAF_ADD_TYPE_ID(sluice, (sluice::delete_subscription))
CAF_ADD_TYPE_ID(sluice, (sluice::list_subscriptions))
CAF_ADD_TYPE_ID(sluice, (sluice::published_event))
CAF_ADD_TYPE_ID(sluice, (sluice::publish_events))
CAF_ADD_TYPE_ID(sluice, (sluice::publish_result))
CAF_ADD_TYPE_ID(sluice, (sluice::routed_event))
CAF_ADD_TYPE_ID(sluice, (sluice::deliver_events))
CAF_ADD_TYPE_ID(sluice, (sluice::subscription_changed))
CAF_ADD_TYPE_ID(sluice, (sluice::storage::script_record))
CAF_ADD_TYPE_ID(sluice, (sluice::script_list))
CAF_ADD_TYPE_ID(sluice, (sluice::put_script))
CAF_ADD_TYPE_ID(sluice, (sluice::get_script))
CAF_ADD_TYPE_ID(sluice, (sluice::list_scripts))
CAF_ADD_TYPE_ID(sluice, (sluice::delete_script))
CAF_ADD_TYPE_ID(sluice, (sluice::push_settings))
CAF_ADD_TYPE_ID(sluice, (sluice::push_lease))
CAF_ADD_TYPE_ID(sluice, (sluice::push_idle))
CAF_ADD_TYPE_ID(sluice, (sluice::messages_ready))
CAF_ADD_TYPE_ID(sluice, (sluice::push_stop))
CAF_ADD_TYPE_ID(sluice, (sluice::fill_due))
CAF_ADD_TYPE_ID(sluice, (sluice::run_batch))
CAF_ADD_TYPE_ID(sluice, (sluice::batch_report))
CAF_ADD_TYPE_ID(sluice, (sluice::storage::audit_record))
CAF_ADD_TYPE_ID(sluice, (sluice::list_audit))
CAF_ADD_TYPE_ID(sluice, (sluice::audit_list))
CAF_ADD_TYPE_ID(sluice, (sluice::shard_spec))
CAF_ADD_TYPE_ID(sluice, (sluice::shard_placed))
CAF_ADD_TYPE_ID(sluice, (sluice::get_shard_map))
CAF_ADD_TYPE_ID(sluice, (sluice::shard_map))
CAF_ADD_TYPE_ID(sluice, (sluice::pull_wait_over))
CAF_ADD_TYPE_ID(sluice, (sluice::release_waiting_pulls))
CAF_ADD_TYPE_ID(sluice, (sluice::storage::dead_letter_origin))
CAF_ADD_TYPE_ID(sluice, (sluice::storage::redrive_record))
CAF_ADD_TYPE_ID(sluice, (sluice::start_redrive))
CAF_ADD_TYPE_ID(sluice, (sluice::get_redrive))
CAF_ADD_TYPE_ID(sluice, (sluice::cancel_redrive))
CAF_ADD_TYPE_ID(sluice, (sluice::redrive_progress))
CAF_ADD_TYPE_ID(sluice, (sluice::redrive_take))
CAF_ADD_TYPE_ID(sluice, (sluice::shard_take))
CAF_ADD_TYPE_ID(sluice, (sluice::redrive_step))
CAF_ADD_TYPE_ID(sluice, (sluice::redrive_stop))
CAF_ADD_TYPE_ID(sluice, (sluice::forwarded_request))
CAF_ADD_TYPE_ID(sluice, (sluice::forwarded_response))
CAF_ADD_TYPE_ID(sluice, (sluice::forward_batch))
CAF_ADD_TYPE_ID(sluice, (sluice::forwarded_responses))
CAF_ADD_TYPE_ID(sluice, (sluice::forward_to))
CAF_ADD_TYPE_ID(sluice, (sluice::checkpoint_prepare))
CAF_ADD_TYPE_ID(sluice, (sluice::checkpoint_offer))
CAF_ADD_TYPE_ID(sluice, (sluice::checkpoint_read))
CAF_ADD_TYPE_ID(sluice, (sluice::checkpoint_chunk))

CAF_END_TYPE_ID_BLOCK(sluice)

// Carries bodies between a reader thread and its shard in one process.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::page_loaded)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::shard_recovered)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::dedup_looked_up)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::dedup_swept)
// Carries a plugin's decisions from a plugin host thread to its consumer shard.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::invocation_finished)

namespace sluice {

/// Wakes a storage shard for delayed messages, lease expiry and retention.
using tick_atom = caf::atom_constant<caf::atom("tick")>;

} // namespace sluice

namespace sluice {

/// Registers every message type and the `errc` error category with `cfg`.
/// Called by the server, the CLI and every test fixture.
void add_message_types(caf::actor_system_config& cfg);

} // namespace sluice
