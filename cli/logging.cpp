#include "cli/logging.hpp"

#include <memory>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "http/json_writer.hpp"

namespace sluice::cli {

namespace {

/// `%*`: the message as a JSON string (quotes and escapes included).
class json_message_flag : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    http::json_writer w;
    w.value(std::string_view{msg.payload.data(), msg.payload.size()});
    auto text = w.take();
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<json_message_flag>();
  }
};

} // namespace

std::string set_up_logging(const std::string& format, const std::string& level) {
  auto lvl = spdlog::level::from_str(level);
  // from_str maps anything unknown to "off": accept "off" only when asked for.
  if (lvl == spdlog::level::off && level != "off")
    return "--log-level must be one of trace, debug, info, warn, error, off; got '" + level + "'";
  auto logger = spdlog::stderr_color_mt("sluice");
  if (format == "json") {
    auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    f->add_flag<json_message_flag>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":%*})");
    logger->set_formatter(std::move(f));
  } else if (format == "text") {
    logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        "%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc));
  } else {
    return "--log-format must be text or json; got '" + format + "'";
  }
  logger->set_level(lvl);
  spdlog::set_default_logger(logger);
  return {};
}

} // namespace sluice::cli
