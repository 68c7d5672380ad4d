#include "cli/consumer_view.hpp"

#include "cli/output.hpp"
#include "cli/time_format.hpp"

namespace sluice::cli {

namespace {

/// Milliseconds as seconds when whole ("60 s"), else as they are ("1500 ms").
std::string ms_text(const std::string& ms) {
  if (ms.size() > 3 && ms.compare(ms.size() - 3, 3, "000") == 0)
    return ms.substr(0, ms.size() - 3) + " s";
  return ms == "0" ? "0 s" : ms + " ms";
}

struct setting {
  const char* key;
  const char* label;
  std::string (*text)(const std::string&);
};

const setting settings[] = {
    {"batch_size", "Batch size", [](const std::string& v) { return v; }},
    {"max_wait_time_ms", "Max wait", ms_text},
    {"max_concurrency", "Max concurrency",
     [](const std::string& v) { return v.empty() ? std::string{"automatic"} : v; }},
    {"max_retries", "Max retries", [](const std::string& v) { return v; }},
    {"retry_delay", "Retry delay", [](const std::string& v) { return v + " s"; }},
    {"visibility_timeout_ms", "Visibility timeout", ms_text},
};

} // namespace

std::string consumer_text(simdjson::dom::element c) {
  std::string out = "Consumer: " + field(c, "type") + " (id " + field(c, "consumer_id") + ")\n";
  if (auto script = field(c, "script_name"); !script.empty())
    out += "  Script: " + script + "\n";
  simdjson::dom::element given;
  if (!c["settings"].get(given) && given.is_object()) {
    for (const auto& s : settings)
      if (given[s.key].error() == simdjson::SUCCESS)
        out += std::string{"  "} + s.label + ": " + s.text(field(given, s.key)) + "\n";
    for (auto [key, value] : given.get_object()) {
      bool known = false;
      for (const auto& s : settings)
        known = known || key == s.key;
      if (!known)
        out += "  " + std::string{key} + ": " + simdjson::minify(value) + "\n";
    }
  }
  auto dlq = field(c, "dead_letter_queue");
  out += "  Dead-letter queue: " + (dlq.empty() ? std::string{"none"} : dlq) + "\n";
  if (auto created = field(c, "created_on"); !created.empty())
    out += "  Created: " + human_time(created) + "\n";
  return out;
}

} // namespace sluice::cli
