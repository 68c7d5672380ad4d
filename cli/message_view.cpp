#include "cli/message_view.hpp"

#include <vector>

#include "actors/control/crypto.hpp"
#include "cli/output.hpp"
#include "cli/time_format.hpp"

namespace sluice::cli {

namespace {

std::string one_line(const std::string& s) {
  std::string out;
  for (char c : s)
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  return out;
}

} // namespace

std::string readable_body(simdjson::dom::element m) {
  auto body = field(m, "body");
  std::string type;
  simdjson::dom::element meta;
  if (!m["metadata"].get(meta))
    type = field(meta, "CF-Content-Type");
  if (type == "text")
    return one_line(body);
  std::string decoded;
  if (!base64_decode(body, decoded))
    return "base64:" + body;
  if (type == "bytes")
    return simdjson::validate_utf8(decoded.data(), decoded.size()) ? one_line(decoded)
                                                                   : "base64:" + body;
  // json (the default when the metadata says nothing): compact, as stored.
  simdjson::dom::parser parser;
  simdjson::dom::element value;
  if (parser.parse(decoded).get(value))
    return one_line(decoded);
  return simdjson::minify(value);
}

std::string dead_letter_text(simdjson::dom::element m) {
  simdjson::dom::element d;
  if (m["dead_letter"].get(d) || !d.is_object())
    return {};
  auto out = "from " + field(d, "source_queue_name") + " after "
             + count_of(field(d, "attempts"), "attempt", "attempts");
  if (auto err = field(d, "last_error"); !err.empty())
    out += ": " + one_line(err);
  return out;
}

void print_messages(simdjson::dom::element messages, const char* id_key) {
  std::vector<std::string> headers{"id", "attempts", "sent", "body"};
  bool with_id = *id_key != '\0';
  if (with_id)
    headers.emplace_back(id_key);
  // A column for where dead letters came from, only when some message is one.
  bool dead = false;
  for (auto m : items(messages))
    dead = dead || !dead_letter_text(m).empty();
  if (dead)
    headers.emplace_back("dead-lettered");
  std::vector<std::vector<std::string>> rows;
  auto now = now_ms();
  for (auto m : items(messages)) {
    rows.push_back({field(m, "id"), field(m, "attempts"), human_time(field(m, "timestamp_ms"), now),
                    readable_body(m)});
    if (with_id)
      rows.back().push_back(field(m, id_key));
    if (dead)
      rows.back().push_back(dead_letter_text(m));
  }
  print_table(headers, rows);
}

std::string queue_holdings(remote& api, const std::string& queue_id) {
  return holdings_text(api.call("GET", "/queues/" + queue_id + "/metrics"));
}

std::string holdings_text(simdjson::dom::element m) {
  return field(m, "ready_count") + " ready, " + field(m, "delayed_count") + " delayed, "
         + field(m, "in_flight_count") + " in flight";
}

} // namespace sluice::cli
