#include "http/queue_json.hpp"

#include <cstdio>
#include <ctime>

namespace sluice::http {

void write_queue(json_writer& w, const storage::queue_record& q) {
  w.begin_object()
      .key("queue_id")
      .value(q.id)
      .key("queue_name")
      .value(q.name)
      .key("created_on")
      .value(rfc3339(q.created_ms))
      .key("modified_on")
      .value(rfc3339(q.modified_ms));
  // Only when set: wrangler shows a jurisdiction column if any queue has the field.
  if (!q.jurisdiction.empty())
    w.key("jurisdiction").value(q.jurisdiction);
  w.key("producers")
      .begin_array()
      .end_array()
      .key("producers_total_count")
      .value(0)
      .key("consumers")
      .begin_array();
  for (const auto& c : q.consumers)
    write_consumer(w, q, c);
  w.end_array()
      .key("consumers_total_count")
      .value(static_cast<uint64_t>(q.consumers.size()))
      .key("settings")
      .begin_object()
      .key("delivery_delay")
      .value(q.settings.delivery_delay)
      .key("message_retention_period")
      .value(q.settings.message_retention_period)
      .key("delivery_paused")
      .value(q.settings.delivery_paused)
      .key("consumer_mode")
      .value(storage::consumer_mode_name(q.settings.mode))
      .key("dedup_window_seconds")
      .value(q.settings.dedup_window_seconds)
      .end_object()
      .end_object();
}

void write_consumer(json_writer& w, const storage::queue_record& q,
                    const storage::consumer_record& c) {
  w.begin_object()
      .key("consumer_id")
      .value(c.id)
      .key("type")
      .value(storage::consumer_type_name(c.type))
      .key("queue_id")
      .value(q.id)
      .key("queue_name")
      .value(q.name)
      .key("created_on")
      .value(rfc3339(c.created_ms))
      .key("dead_letter_queue")
      .value(c.dead_letter_queue);
  if (c.type == storage::consumer_type::worker)
    w.key("script").value(c.script_name).key("script_name").value(c.script_name);
  w.key("settings")
      .begin_object()
      .key("batch_size")
      .value(c.batch_size)
      .key("max_retries")
      .value(c.max_retries)
      .key("retry_delay")
      .value(c.retry_delay);
  if (c.type == storage::consumer_type::worker) {
    w.key("max_wait_time_ms").value(c.max_wait_time_ms).key("max_concurrency");
    if (c.max_concurrency == 0)
      w.null();
    else
      w.value(c.max_concurrency);
  } else {
    w.key("visibility_timeout_ms").value(c.visibility_timeout_ms);
  }
  w.end_object().end_object();
}

std::string read_consumer(simdjson::dom::object body, consumer_patch& out) {
  auto err = json_reader::get_string(body, "type", "type", out.type);
  if (err.empty())
    err = json_reader::get_string(body, "script_name", "script_name", out.script_name);
  if (err.empty() && !out.script_name)
    err = json_reader::get_string(body, "script", "script", out.script_name);
  if (err.empty())
    err = json_reader::get_string(body, "dead_letter_queue", "dead_letter_queue",
                                  out.dead_letter_queue);
  simdjson::dom::object settings;
  bool found = false;
  if (err.empty())
    err = json_reader::get_object(body, "settings", "settings", settings, found);
  if (!err.empty() || !found)
    return err;
  struct field {
    const char* name;
    caf::optional<int64_t>* out;
  };
  for (auto f : {field{"batch_size", &out.batch_size}, field{"max_retries", &out.max_retries},
                 field{"retry_delay", &out.retry_delay},
                 field{"visibility_timeout_ms", &out.visibility_timeout_ms},
                 field{"max_wait_time_ms", &out.max_wait_time_ms},
                 field{"max_concurrency", &out.max_concurrency}})
    if (err = json_reader::get_int(settings, f.name, "settings." + std::string{f.name}, *f.out);
        !err.empty())
      return err;
  return {};
}

std::string read_settings(simdjson::dom::object body, settings_patch& out) {
  simdjson::dom::object settings;
  bool found = false;
  if (auto err = json_reader::get_object(body, "settings", "settings", settings, found);
      !err.empty() || !found)
    return err;
  if (auto err = json_reader::get_int(settings, "delivery_delay", "settings.delivery_delay",
                                      out.delivery_delay);
      !err.empty())
    return err;
  if (auto err =
          json_reader::get_int(settings, "message_retention_period",
                               "settings.message_retention_period", out.message_retention_period);
      !err.empty())
    return err;
  if (auto err = json_reader::get_int(settings, "dedup_window_seconds",
                                      "settings.dedup_window_seconds", out.dedup_window_seconds);
      !err.empty())
    return err;
  if (auto err = json_reader::get_bool(settings, "delivery_paused", "settings.delivery_paused",
                                       out.delivery_paused);
      !err.empty())
    return err;
  return json_reader::get_string(settings, "consumer_mode", "settings.consumer_mode",
                                 out.consumer_mode);
}

} // namespace sluice::http
