#include "actors/events/event_router.hpp"
#include "actors/timeouts.hpp"

#include <algorithm>
#include <map>
#include <memory>

#include "actors/control/crypto.hpp"
#include "actors/control/subscription_rules.hpp"
#include "actors/errc.hpp"
#include "actors/events/subscription.hpp"

namespace sluice {

namespace {

using self_ptr = event_router_actor::stateful_pointer<event_router_state>;

/// "" if `e` is valid; else the failing field. Sets `version` to the schema
/// version checked.
std::string validate(const events::catalog& c, simdjson::dom::parser& parser,
                     const published_event& e, int64_t& version) {
  const auto* src = c.find_source(e.source_type);
  if (src == nullptr)
    return "source.type '" + e.source_type + "' is not a known source";
  if (auto err = missing_source_field(*src, e.fields); !err.empty())
    return err;
  simdjson::dom::element payload;
  if (parser.parse(e.payload).get(payload))
    return "payload must be a JSON object";
  int used = 0;
  auto err = c.validate(e.source_type, e.event, static_cast<int>(e.schema_version), payload, used);
  version = used;
  return err;
}

/// The metric labels of `e`: its source and event type if the catalog knows
/// them, else "unknown" (label values stay bounded whatever is published).
std::pair<std::string, std::string> labels_of(const events::catalog& c, const published_event& e) {
  if (c.find_source(e.source_type) == nullptr)
    return {"unknown", "unknown"};
  if (c.find_event(e.source_type, e.event) == nullptr)
    return {e.source_type, "unknown"};
  return {e.source_type, e.event};
}

void on_changed(self_ptr self, const subscription_changed& msg) {
  auto& subs = self->state.by_account[msg.record.account];
  auto i = std::find_if(subs.begin(), subs.end(),
                        [&](const auto& s) { return s.record.id == msg.record.id; });
  if (msg.removed) {
    if (i != subs.end()) {
      self->send(i->actor, msg);
      subs.erase(i);
    }
    return;
  }
  if (i != subs.end()) {
    i->record = msg.record;
    self->send(i->actor, msg);
    return;
  }
  subs.push_back({msg.record, self->spawn<caf::linked>(subscription, msg)});
}

caf::result<publish_result> on_publish(self_ptr self, publish_events& req) {
  auto& st = self->state;
  if (req.events.empty())
    return make_error(errc::invalid_request, "events must hold at least one event");
  std::vector<routed_event> routed;
  publish_result out;
  auto now = st.now_ms();
  for (size_t i = 0; i < req.events.size(); ++i) {
    routed_event r;
    if (auto err = validate(*st.catalog, st.parser, req.events[i], r.schema_version);
        !err.empty()) {
      if (st.metrics) {
        auto [source, type] = labels_of(*st.catalog, req.events[i]);
        st.metrics->event_rejected(source, type);
      }
      return make_error(errc::invalid_request,
                        req.events.size() == 1 ? err : "events[" + std::to_string(i) + "]." + err);
    }
    r.id = random_hex(16);
    r.timestamp_ms = now;
    r.event = std::move(req.events[i]);
    out.ids.push_back(r.id);
    routed.push_back(std::move(r));
  }
  if (st.metrics)
    for (const auto& r : routed)
      st.metrics->event_published(r.event.source_type, r.event.event);
  // One delivery per matching subscription, holding its events in order.
  std::vector<std::pair<subscription_actor, deliver_events>> deliveries;
  for (const auto& sub : st.by_account[req.account]) {
    deliver_events d;
    for (const auto& r : routed)
      if (matches(sub.record, r.event))
        d.events.push_back(r);
    if (!d.events.empty()) {
      out.deliveries += d.events.size();
      deliveries.emplace_back(sub.actor, std::move(d));
    }
  }
  if (deliveries.empty())
    return out;
  auto rp = self->make_response_promise<publish_result>();
  auto pending = std::make_shared<size_t>(deliveries.size());
  for (auto& [actor, d] : deliveries) {
    std::map<std::pair<std::string, std::string>, uint64_t> delivered; // by (source, type)
    for (const auto& r : d.events)
      ++delivered[{r.event.source_type, r.event.event}];
    self->request(actor, internal_request_timeout, std::move(d))
        .then(
            [self, rp, out, pending, delivered](caf::ok_atom) mutable {
              if (auto* m = self->state.metrics)
                for (const auto& [labels, n] : delivered)
                  m->events_delivered(labels.first, labels.second, n);
              if (*pending != SIZE_MAX && --*pending == 0)
                rp.deliver(out);
            },
            [rp, pending](caf::error& e) mutable {
              if (*pending == SIZE_MAX)
                return;
              *pending = SIZE_MAX; // answer once, with the first error
              rp.deliver(std::move(e));
            });
  }
  return rp;
}

} // namespace

event_router_actor::behavior_type event_router(self_ptr self, const events::catalog* catalog,
                                               std::function<int64_t()> now_ms,
                                               metrics::registry* metrics) {
  self->state.catalog = catalog;
  self->state.now_ms = std::move(now_ms);
  self->state.metrics = metrics;
  return {
      [=](publish_events& req) { return on_publish(self, req); },
      [=](const subscription_changed& msg) {
        on_changed(self, msg);
        return caf::ok_atom::value;
      },
  };
}

} // namespace sluice
