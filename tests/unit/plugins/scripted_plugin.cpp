// Test-only plugin "scripted": every message body is a command, run in batch order, so a
// test decides each message's outcome by what it sends:
//   "ack" | "retry" | "retry <s>" | "ack_all" | "retry_all" | "retry_all <s>" | "throw"
// and any other body does nothing (a normal return acks it). Before running the commands
// it appends one line per batch to the file env.LOG:
//   <queue>|<body>:<attempts>,<body>:<attempts>,...
#include <sluice/plugin.hpp>

#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>

namespace {

std::mutex log_mutex;

sluice::RetryOptions delay_of(std::string_view cmd, std::string_view verb) {
  if (cmd.size() <= verb.size() + 1)
    return {};
  return {static_cast<std::uint32_t>(std::stoul(std::string{cmd.substr(verb.size() + 1)}))};
}

bool starts(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

} // namespace

class scripted_plugin {
public:
  void queue(sluice::MessageBatch& batch, sluice::Env& env) {
    std::string line{batch.queue_name()};
    line += '|';
    for (size_t i = 0; i < batch.messages().size(); ++i) {
      const auto& m = batch.messages()[i];
      line += (i == 0 ? "" : ",") + std::string{m.body()} + ":" + std::to_string(m.attempts());
    }
    {
      std::lock_guard<std::mutex> lock(log_mutex);
      std::ofstream(env.get_or("LOG", "/dev/null"), std::ios::app) << line << "\n";
    }
    for (const auto& m : batch.messages()) {
      auto cmd = m.body();
      if (cmd == "ack")
        m.ack();
      else if (starts(cmd, "retry_all"))
        batch.retry_all(delay_of(cmd, "retry_all"));
      else if (starts(cmd, "retry"))
        m.retry(delay_of(cmd, "retry"));
      else if (cmd == "ack_all")
        batch.ack_all();
      else if (cmd == "throw")
        throw std::runtime_error("scripted failure");
    }
  }
};

SLUICE_PLUGIN(scripted_plugin)
