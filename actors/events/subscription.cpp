#include "actors/events/subscription.hpp"
#include "actors/timeouts.hpp"

#include "actors/control/time_format.hpp"
#include "events/envelope.hpp"
#include "storage/message_records.hpp"

namespace sluice {

namespace {

using self_ptr = subscription_actor::stateful_pointer<subscription_state>;

void adopt(self_ptr self, const subscription_changed& msg) {
  self->state.record = msg.record;
  self->state.destination = caf::actor_cast<coordinator_actor>(msg.destination);
}

std::string envelope_of(const storage::subscription_record& sub, const routed_event& e) {
  events::envelope_fields f;
  f.source_type = e.event.source_type;
  for (const auto& [k, v] : e.event.fields)
    f.source_fields.emplace_back(events::camel_case(k), v);
  f.event = e.event.event;
  f.payload_json = e.event.payload;
  f.account_id = sub.account;
  f.subscription_id = sub.id;
  f.event_id = e.id;
  f.schema_version = static_cast<int>(e.schema_version);
  f.event_timestamp = rfc3339(e.timestamp_ms);
  return events::envelope_json(f);
}

caf::result<caf::ok_atom> on_deliver(self_ptr self, const deliver_events& req) {
  auto& st = self->state;
  // The router routes by the latest record; this check covers events it
  // routed just before a disable reached it.
  if (!st.record.enabled || !st.destination)
    return caf::ok_atom::value;
  store_messages store;
  for (const auto& e : req.events)
    store.items.push_back({envelope_of(st.record, e),
                           static_cast<uint8_t>(storage::content_type::json), e.timestamp_ms,
                           e.timestamp_ms});
  auto rp = self->make_response_promise<caf::ok_atom>();
  self->request(st.destination, internal_request_timeout, std::move(store))
      .then([rp](caf::ok_atom) mutable { rp.deliver(caf::ok_atom::value); },
            [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
  return rp;
}

} // namespace

subscription_actor::behavior_type subscription(self_ptr self, subscription_changed init) {
  adopt(self, init);
  return {
      [=](const deliver_events& req) { return on_deliver(self, req); },
      [=](const subscription_changed& msg) {
        if (msg.removed)
          self->quit();
        else
          adopt(self, msg);
      },
  };
}

} // namespace sluice
