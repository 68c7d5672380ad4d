#include "http/message_json.hpp"

#include "actors/control/crypto.hpp"
#include "actors/queue/shard_dedup.hpp"
#include "http/json_reader.hpp"

namespace sluice::http {

const char* content_type_name(uint8_t type) {
  return storage::content_type_name(static_cast<storage::content_type>(type));
}

problem read_message(simdjson::dom::object obj, const std::string& path, outgoing_message& out) {
  auto invalid = [](std::string msg) { return problem{errc::invalid_request, std::move(msg)}; };
  caf::optional<std::string> type;
  if (auto err = json_reader::get_string(obj, "content_type", path + "content_type", type);
      !err.empty())
    return invalid(err);
  if (auto err =
          json_reader::get_int(obj, "delay_seconds", path + "delay_seconds", out.delay_seconds);
      !err.empty())
    return invalid(err);
  caf::optional<std::string> dedup_id;
  if (auto err = json_reader::get_string(obj, "dedup_id", path + "dedup_id", dedup_id);
      !err.empty())
    return invalid(err);
  if (dedup_id) {
    if (auto err = check_dedup_id(path + "dedup_id", *dedup_id); !err.empty())
      return invalid(err);
    out.dedup_id = std::move(*dedup_id);
  }
  auto body = obj.at_key("body");
  if (body.error())
    return invalid(path + "body is required");
  auto t = type ? *type : std::string{"json"};
  if (t == "json") {
    out.type = static_cast<uint8_t>(storage::content_type::json);
    out.body = simdjson::minify(body.value_unsafe());
  } else if (t == "text") {
    std::string_view s;
    if (body.value_unsafe().get(s) != simdjson::SUCCESS)
      return invalid(path + "body must be a string when content_type is text");
    out.type = static_cast<uint8_t>(storage::content_type::text);
    out.body = std::string{s};
  } else if (t == "bytes") {
    std::string_view s;
    if (body.value_unsafe().get(s) != simdjson::SUCCESS || !base64_decode(s, out.body))
      return invalid(path + "body must be a base64 string when content_type is bytes");
    out.type = static_cast<uint8_t>(storage::content_type::bytes);
  } else if (t == "v8") {
    return invalid(path
                   + "content_type v8 is not supported: Sluice has no JavaScript "
                     "runtime to deserialize it; send json, text or bytes");
  } else {
    return invalid(path + "content_type must be json, text or bytes, got '" + t + "'");
  }
  if (out.body.size() > max_message_bytes)
    return {errc::too_large, path + "body is " + std::to_string(out.body.size())
                                 + " bytes; a message may be at most "
                                 + std::to_string(max_message_bytes) + " bytes (128 KB)"};
  return {};
}

std::string read_idempotency_key(const std::optional<std::string>& key, outgoing_message& m) {
  if (!key)
    return {};
  if (auto err = check_dedup_id("the Idempotency-Key header", *key); !err.empty())
    return err;
  if (m.dedup_id.empty())
    m.dedup_id = *key;
  else if (m.dedup_id != *key)
    return "dedup_id and the Idempotency-Key header differ; send one of them, or both equal";
  return {};
}

void write_pulled(json_writer& w, const pulled_message& m, const char* id_key) {
  auto type = static_cast<storage::content_type>(m.type);
  w.begin_object().key("id").value(m.id).key("body");
  if (type == storage::content_type::text)
    w.value(m.body);
  else
    w.value(base64_encode(m.body));
  w.key("timestamp_ms")
      .value(m.timestamp_ms)
      .key("attempts")
      .value(m.attempts)
      .key(id_key)
      .value(m.lease_id)
      .key("metadata")
      .begin_object()
      .key("CF-Content-Type")
      .value(content_type_name(m.type))
      .key("CF-sourceMessageSource")
      .value("api")
      .end_object();
  if (m.dead_letter)
    write_dead_letter(w, *m.dead_letter);
  w.end_object();
}

void write_dead_letter(json_writer& w, const storage::dead_letter_origin& d) {
  w.key("dead_letter")
      .begin_object()
      .key("source_queue_id")
      .value(d.queue_id)
      .key("source_queue_name")
      .value(d.queue_name)
      .key("consumer_id")
      .value(d.consumer_id)
      .key("reason")
      .value(d.reason)
      .key("last_error");
  if (d.last_error.empty())
    w.null();
  else
    w.value(d.last_error);
  w.key("attempts").value(d.attempts).key("dead_lettered_at_ms").value(d.dead_lettered_ms);
  w.end_object();
}

std::string metrics_json(const queue_stats& s, bool wrap) {
  json_writer w;
  if (wrap)
    w.begin_object().key("metrics");
  w.begin_object()
      .key("backlog_count")
      .value(s.backlog_count)
      .key("backlog_bytes")
      .value(s.backlog_bytes)
      .key("oldest_message_timestamp_ms")
      .value(s.oldest_message_timestamp_ms);
  // GET …/metrics only (an extension): what the backlog is made of, for the
  // console and `sluice pull`'s "nothing ready" line. Send and pull answers
  // keep Cloudflare's three fields.
  if (!wrap)
    w.key("ready_count")
        .value(s.ready_count)
        .key("delayed_count")
        .value(s.delayed_count)
        .key("in_flight_count")
        .value(s.in_flight_count);
  w.end_object();
  if (wrap)
    w.end_object();
  return w.take();
}

std::string queue_metrics_json(const queue_stats& total, const consumer_backlogs& consumers) {
  auto out = metrics_json(total, false);
  if (consumers.consumers.empty())
    return out;
  json_writer w;
  w.begin_array();
  for (const auto& c : consumers.consumers)
    w.begin_object()
        .key("consumer_id")
        .value(c.consumer_id)
        .key("backlog_count")
        .value(c.stats.backlog_count)
        .key("backlog_bytes")
        .value(c.stats.backlog_bytes)
        .key("oldest_message_timestamp_ms")
        .value(c.stats.oldest_message_timestamp_ms)
        .key("ready_count")
        .value(c.stats.ready_count)
        .key("delayed_count")
        .value(c.stats.delayed_count)
        .key("in_flight_count")
        .value(c.stats.in_flight_count)
        .end_object();
  w.end_array();
  out.pop_back(); // the object's closing brace
  return out + ",\"consumers\":" + w.take() + "}";
}

} // namespace sluice::http
