// Event subscriptions (docs/events.md) under /client/v4/accounts/{account}/event_subscriptions:
// the subscriptions API as the SDK and wrangler use it, the catalog of
// sources (extension) and publishing.
#include <algorithm>

#include "actors/control/time_format.hpp"
#include "events/catalog.hpp"
#include "http/api.hpp"
#include "http/ask.hpp"
#include "http/auth.hpp"
#include "http/envelope.hpp"
#include "http/json_reader.hpp"
#include "http/json_writer.hpp"
#include "http/paging.hpp"
#include "http/query.hpp"

namespace sluice::http {

namespace {

constexpr std::string_view subs_path =
    "/client/v4/accounts/{account}/event_subscriptions/subscriptions";
constexpr std::string_view sub_path =
    "/client/v4/accounts/{account}/event_subscriptions/subscriptions/{id}";
constexpr std::string_view sources_path =
    "/client/v4/accounts/{account}/event_subscriptions/sources";
constexpr std::string_view events_path = "/client/v4/accounts/{account}/event_subscriptions/events";

void write_subscription(json_writer& w, const storage::subscription_record& s) {
  w.begin_object().key("id").value(s.id).key("name").value(s.name);
  w.key("enabled").value(s.enabled).key("created_at").value(rfc3339(s.created_ms));
  w.key("modified_at").value(rfc3339(s.modified_ms));
  w.key("source").begin_object().key("type").value(s.source_type);
  for (const auto& [k, v] : s.source_fields)
    w.key(k).value(v);
  w.end_object().key("events").begin_array();
  for (const auto& e : s.events)
    w.value(e);
  w.end_array().key("destination").begin_object().key("type").value("queues.queue");
  w.key("queue_id").value(s.queue_id).end_object().end_object();
}

/// Orders `subs` by `order` (created_at when empty; ties by creation), as the
/// list's `order` and `direction` parameters ask.
void sort_subscriptions(subscription_list& subs, const std::string& order, bool descending) {
  if ((order.empty() || order == "created_at") && !descending)
    return; // the hub lists them oldest first already
  auto key = [&order](const storage::subscription_record& s) -> std::string_view {
    if (order == "name")
      return s.name;
    if (order == "enabled")
      return s.enabled ? "1" : "0";
    if (order == "source")
      return s.source_type;
    return {};
  };
  std::stable_sort(subs.begin(), subs.end(), [&](const auto& x, const auto& y) {
    auto kx = key(x), ky = key(y);
    if (kx != ky)
      return descending ? ky < kx : kx < ky;
    return descending ? y.created_ms < x.created_ms : x.created_ms < y.created_ms;
  });
}

auto subscription_reply(responder reply) {
  return answer<storage::subscription_record>(std::move(reply),
                                              [](const storage::subscription_record& s) {
                                                json_writer w;
                                                write_subscription(w, s);
                                                return ok(w.take());
                                              });
}

/// The string fields of an object other than `type`, e.g. `model_name`.
std::string read_fields(simdjson::dom::object obj, const std::string& path, source_fields& out) {
  for (auto [key, value] : obj) {
    if (key == "type")
      continue;
    std::string_view s;
    if (value.get(s))
      return path + "." + std::string{key} + " must be a string";
    out.emplace_back(std::string{key}, std::string{s});
  }
  return {};
}

/// Parses a subscription body: name, enabled, events, source, destination.
bool parse_subscription(const request& req, subscription_patch& out, responder& reply) {
  json_reader in;
  if (auto err = in.parse(req.body, false); !err.empty()) {
    reply(fail(in.malformed() ? errc::malformed_json : errc::invalid_request, err));
    return false;
  }
  auto root = in.root();
  auto err = json_reader::get_string(root, "name", "name", out.name);
  if (err.empty())
    err = json_reader::get_bool(root, "enabled", "enabled", out.enabled);
  if (err.empty())
    err = json_reader::get_string_array(root, "events", "events", out.events);
  simdjson::dom::object source, destination;
  bool has_source = false, has_destination = false;
  if (err.empty())
    err = json_reader::get_object(root, "source", "source", source, has_source);
  if (err.empty() && has_source) {
    err = json_reader::get_string(source, "type", "source.type", out.source_type);
    if (err.empty() && !out.source_type)
      err = "source.type is required";
    if (err.empty())
      err = read_fields(source, "source", out.fields);
  }
  if (err.empty())
    err = json_reader::get_object(root, "destination", "destination", destination, has_destination);
  if (err.empty() && has_destination) {
    caf::optional<std::string> type;
    err = json_reader::get_string(destination, "type", "destination.type", type);
    if (err.empty() && type && *type != "queues.queue")
      err = "destination.type must be 'queues.queue'";
    if (err.empty())
      err = json_reader::get_string(destination, "queue_id", "destination.queue_id", out.queue_id);
  }
  if (!err.empty()) {
    reply(fail(errc::invalid_request, err));
    return false;
  }
  return true;
}

void create(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_write,
      [&ctx, req, account = p[0], reply](principal who) mutable {
        create_subscription msg{account, {}, who.token_id};
        if (parse_subscription(req, msg.patch, reply))
          ask<storage::subscription_record>(*ctx.replies, ctx.hub.get(), std::move(msg),
                                            subscription_reply(reply));
      },
      reply);
}

void update(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_write,
      [&ctx, req, account = p[0], id = p[1], reply](principal who) mutable {
        update_subscription msg{account, id, {}, who.token_id};
        if (parse_subscription(req, msg.patch, reply))
          ask<storage::subscription_record>(*ctx.replies, ctx.hub.get(), std::move(msg),
                                            subscription_reply(reply));
      },
      reply);
}

void get(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_read,
      [&ctx, account = p[0], id = p[1], reply](principal) {
        ask<storage::subscription_record>(*ctx.replies, ctx.hub.get(),
                                          get_subscription{account, id}, subscription_reply(reply));
      },
      reply);
}

void remove(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_write,
      [&ctx, account = p[0], id = p[1], reply](principal who) {
        ask<storage::subscription_record>(*ctx.replies, ctx.hub.get(),
                                          delete_subscription{account, id, who.token_id},
                                          subscription_reply(reply));
      },
      reply);
}

void list(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_read,
      [&ctx, query = req.query, account = p[0], reply](principal) {
        paging pg;
        if (auto err = parse_paging(query, pg); !err.empty()) {
          reply(fail(errc::invalid_request, err));
          return;
        }
        auto order = query_value(query, "order"), direction = query_value(query, "direction");
        if (!order.empty() && order != "created_at" && order != "name" && order != "enabled"
            && order != "source") {
          reply(fail(errc::invalid_request,
                     "order must be one of created_at, name, enabled, source"));
          return;
        }
        if (!direction.empty() && direction != "asc" && direction != "desc") {
          reply(fail(errc::invalid_request, "direction must be asc or desc"));
          return;
        }
        list_subscriptions msg{account, query_value(query, "queue_id")};
        ask<subscription_list>(
            *ctx.replies, ctx.hub.get(), std::move(msg),
            answer<subscription_list>(reply, [pg, order, direction](subscription_list& subs) {
              sort_subscriptions(subs, order, direction == "desc");
              uint64_t begin = 0, end = 0;
              auto info = page_of(pg, subs.size(), begin, end);
              json_writer w;
              w.begin_array();
              for (auto i = begin; i < end; ++i)
                write_subscription(w, subs[i]);
              w.end_array();
              return ok_list(w.take(), info);
            }));
      },
      reply);
}

/// One catalog source: its required fields and events, each event with its
/// schema versions as numbers, or (`schemas`) with each version's payload fields.
void write_source(json_writer& w, const events::source_type& s, bool schemas) {
  w.begin_object().key("type").value(s.type).key("required_fields").begin_array();
  for (const auto& f : s.filters)
    w.value(f);
  w.end_array().key("events").begin_array();
  for (const auto& e : s.events) {
    w.begin_object().key("type").value(e.name).key("versions").begin_array();
    for (const auto& v : e.versions) {
      if (!schemas) {
        w.value(static_cast<int64_t>(v.version));
        continue;
      }
      w.begin_object().key("version").value(static_cast<int64_t>(v.version));
      w.key("fields").begin_array();
      for (const auto& f : v.fields)
        w.begin_object()
            .key("name")
            .value(f.name)
            .key("type")
            .value(f.type)
            .key("required")
            .value(f.required)
            .end_object();
      w.end_array().end_object();
    }
    w.end_array().end_object();
  }
  w.end_array().end_object();
}

void sources(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_read,
      [reply](principal) {
        json_writer w;
        w.begin_array();
        for (const auto& s : events::catalog::builtin().sources())
          write_source(w, s, false);
        reply(ok(w.end_array().take()));
      },
      reply);
}

void source(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_read,
      [reply, type = p[1]](principal) {
        const auto* s = events::catalog::builtin().find_source(type);
        if (s == nullptr) {
          std::string known;
          for (const auto& each : events::catalog::builtin().sources())
            known += (known.empty() ? "" : ", ") + each.type;
          return reply(
              fail(errc::not_found, "no event source '" + type + "'; the sources are: " + known));
        }
        json_writer w;
        write_source(w, *s, true);
        reply(ok(w.take()));
      },
      reply);
}

/// One published event: {source: {type, ...}, event, payload, schema_version?}.
std::string read_event(simdjson::dom::object obj, const std::string& path, published_event& out) {
  simdjson::dom::object source;
  bool found = false;
  auto err = json_reader::get_object(obj, "source", path + "source", source, found);
  if (err.empty() && !found)
    err = path + "source is required: {\"type\": \"<source>\", ...}";
  caf::optional<std::string> type, event;
  if (err.empty())
    err = json_reader::get_string(source, "type", path + "source.type", type);
  if (err.empty() && !type)
    err = path + "source.type is required";
  if (err.empty())
    err = read_fields(source, path + "source", out.fields);
  if (err.empty())
    err = json_reader::get_string(obj, "event", path + "event", event);
  if (err.empty() && !event)
    err = path + "event is required, e.g. \"bucket.created\"";
  caf::optional<int64_t> version;
  if (err.empty())
    err = json_reader::get_int(obj, "schema_version", path + "schema_version", version);
  simdjson::dom::object payload;
  if (err.empty())
    err = json_reader::get_object(obj, "payload", path + "payload", payload, found);
  if (err.empty() && !found)
    err = path + "payload is required: a JSON object";
  if (!err.empty())
    return err;
  out.source_type = *type;
  out.event = *event;
  out.schema_version = version ? *version : 0;
  out.payload = simdjson::minify(payload);
  return {};
}

void publish(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_events_publish,
      [&ctx, req, account = p[0], reply](principal) mutable {
        json_reader in;
        if (auto err = in.parse(req.body, false); !err.empty()) {
          reply(fail(in.malformed() ? errc::malformed_json : errc::invalid_request, err));
          return;
        }
        publish_events msg{account, {}};
        simdjson::dom::array list;
        std::string err;
        if (in.root()["events"].get(list)) { // one event
          msg.events.emplace_back();
          err = read_event(in.root(), "", msg.events.back());
        } else {
          size_t i = 0;
          for (auto e : list) {
            simdjson::dom::object obj;
            auto path = "events[" + std::to_string(i++) + "].";
            msg.events.emplace_back();
            err = e.get(obj) ? path.substr(0, path.size() - 1) + " must be an object"
                             : read_event(obj, path, msg.events.back());
            if (!err.empty())
              break;
          }
        }
        if (!err.empty()) {
          reply(fail(errc::invalid_request, err));
          return;
        }
        ask<publish_result>(*ctx.replies, ctx.hub.get(), std::move(msg),
                            answer<publish_result>(reply, [](const publish_result& r) {
                              json_writer w;
                              w.begin_object().key("ids").begin_array();
                              for (const auto& id : r.ids)
                                w.value(id);
                              w.end_array().key("deliveries").value(r.deliveries);
                              return ok(w.end_object().take());
                            }));
      },
      reply);
}

} // namespace

void add_event_routes(router& r, api_context& ctx) {
  r.add("subscriptions.create", "POST", subs_path, with_context(ctx, create));
  r.add("subscriptions.list", "GET", subs_path, with_context(ctx, list));
  r.add("subscriptions.get", "GET", sub_path, with_context(ctx, get));
  r.add("subscriptions.update", "PATCH", sub_path, with_context(ctx, update));
  r.add("subscriptions.delete", "DELETE", sub_path, with_context(ctx, remove));
  r.add("events.sources", "GET", sources_path, with_context(ctx, sources));
  r.add("events.source", "GET", std::string{sources_path} + "/{type}", with_context(ctx, source));
  r.add("events.publish", "POST", events_path, with_context(ctx, publish));
}

} // namespace sluice::http
