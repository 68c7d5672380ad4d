#pragma once

#include <cstdint>
#include <string>

#include "actors/event_messages.hpp"
#include "storage/records.hpp"

/// Events of the hub's own `queues` source (events/catalog/queues.json),
/// published through the event router like any other.

namespace sluice {

published_event queue_created(const storage::queue_record& q);

published_event queue_deleted(const storage::queue_record& q);

published_event message_dead_lettered(const storage::queue_record& q,
                                      const std::string& dead_letter_queue,
                                      const std::string& message_id, uint32_t attempts);

} // namespace sluice
