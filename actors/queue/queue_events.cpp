#include "actors/queue/queue_events.hpp"

#include "events/envelope.hpp"

namespace sluice {

namespace {

/// `{"queueName":…,"queueId":…` (the caller closes the object).
std::string queue_fields(const storage::queue_record& q) {
  std::string out = R"({"queueName":)";
  events::append_json_string(out, q.name);
  out += R"(,"queueId":)";
  events::append_json_string(out, q.id);
  return out;
}

published_event event_of(std::string event, std::string payload) {
  published_event e;
  e.source_type = "queues";
  e.event = std::move(event);
  e.payload = std::move(payload);
  return e;
}

} // namespace

published_event queue_created(const storage::queue_record& q) {
  return event_of("queue.created", queue_fields(q) + "}");
}

published_event queue_deleted(const storage::queue_record& q) {
  return event_of("queue.deleted", queue_fields(q) + "}");
}

published_event message_dead_lettered(const storage::queue_record& q,
                                      const std::string& dead_letter_queue,
                                      const std::string& message_id, uint32_t attempts) {
  auto payload = queue_fields(q) + R"(,"deadLetterQueueName":)";
  events::append_json_string(payload, dead_letter_queue);
  payload += R"(,"messageId":)";
  events::append_json_string(payload, message_id);
  payload += R"(,"attempts":)" + std::to_string(attempts) + "}";
  return event_of("message.dead_lettered", std::move(payload));
}

} // namespace sluice
