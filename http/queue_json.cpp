#include "http/queue_json.hpp"

#include <cstdio>
#include <ctime>

namespace sluice::http {

std::string rfc3339(int64_t epoch_ms) {
  std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(epoch_ms % 1000));
  return buf;
}

void write_queue(json_writer& w, const storage::queue_record& q) {
  w.begin_object()
      .key("queue_id")
      .value(q.id)
      .key("queue_name")
      .value(q.name)
      .key("created_on")
      .value(rfc3339(q.created_ms))
      .key("modified_on")
      .value(rfc3339(q.modified_ms))
      .key("producers")
      .begin_array()
      .end_array()
      .key("producers_total_count")
      .value(0)
      .key("consumers")
      .begin_array()
      .end_array()
      .key("consumers_total_count")
      .value(0)
      .key("settings")
      .begin_object()
      .key("delivery_delay")
      .value(q.settings.delivery_delay)
      .key("message_retention_period")
      .value(q.settings.message_retention_period)
      .key("delivery_paused")
      .value(q.settings.delivery_paused)
      .end_object()
      .end_object();
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
  return json_reader::get_bool(settings, "delivery_paused", "settings.delivery_paused",
                               out.delivery_paused);
}

} // namespace sluice::http
