// `sluice queues redrive|redrive-status|redrive-cancel`: move a dead-letter
// queue's messages back (docs/cli.md, docs/api.md "Redrive").
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "http/json_writer.hpp"

namespace sluice::cli {

namespace {

struct redrive_flags {
  std::string queue;
  std::string to;
  std::optional<int64_t> rate;
  bool wait = false;
};

/// "RUNNING: moved 40 of 100 (60 remaining)", and why a task failed.
std::string describe(simdjson::dom::element task) {
  auto state = field(task, "state");
  std::string out =
      state + ": moved " + field(task, "messages_moved") + " of " + field(task, "messages_to_move");
  if (state == "RUNNING")
    out += " (" + field(task, "messages_remaining") + " remaining)";
  if (auto reason = field(task, "failure_reason"); !reason.empty() && reason != "null")
    out += "; " + reason;
  return out;
}

std::string path_of(remote& api, const std::string& queue) {
  return "/queues/" + api.queue_id(queue) + "/redrive";
}

/// Shows the task's progress once a second until it is no longer running.
void follow(remote& api, const std::string& path) {
  for (;;) {
    auto task = api.call("GET", path);
    if (task.is_null())
      throw cli_error("the queue has no redrive task");
    std::cout << describe(task) << "\n" << std::flush;
    if (field(task, "state") != "RUNNING")
      return;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

} // namespace

void add_redrive_commands(CLI::App& app, remote_options& o) {
  auto* queues = app.get_subcommand("queues");
  auto f = std::make_shared<redrive_flags>();

  auto* start = queues->add_subcommand(
      "redrive", "Move a dead-letter queue's messages back to the queues they came from (or to "
                 "--to QUEUE)");
  start->add_option("queue", f->queue, "Dead-letter queue name or id")->required();
  start->add_option("--to", f->to, "Move every message to this queue (name or id) instead");
  start->add_option("--rate", f->rate, "Move at most this many messages per second (1-500)");
  start->add_flag("--wait", f->wait, "Show the progress until the task ends");
  start->callback([&o, f] {
    remote api{o};
    http::json_writer w;
    w.begin_object();
    if (!f->to.empty())
      w.key("destination_queue_id").value(api.queue_id(f->to));
    if (f->rate)
      w.key("max_messages_per_second").value(*f->rate);
    auto path = path_of(api, f->queue);
    auto task = api.call("POST", path, w.end_object().take());
    if (o.json)
      return print_json(task);
    std::cout << "Started redrive " << field(task, "task_id") << " of queue " << f->queue << ": "
              << count_of(field(task, "messages_to_move"), "message", "messages") << " to move.\n";
    if (f->wait)
      follow(api, path);
  });

  auto* status = queues->add_subcommand("redrive-status", "Show a queue's last redrive task");
  status->add_option("queue", f->queue, "Dead-letter queue name or id")->required();
  status->add_flag("--wait", f->wait, "Show the progress until the task ends");
  status->callback([&o, f] {
    remote api{o};
    auto path = path_of(api, f->queue);
    if (f->wait && !o.json)
      return follow(api, path);
    auto task = api.call("GET", path);
    if (o.json)
      return print_json(task);
    if (task.is_null()) {
      std::cout << "Queue " << f->queue << " has no redrive task.\n";
      return;
    }
    std::cout << "Redrive " << field(task, "task_id") << " of queue " << f->queue << "\n"
              << describe(task) << "\n";
  });

  auto* cancel = queues->add_subcommand("redrive-cancel", "Cancel a queue's running redrive task");
  cancel->add_option("queue", f->queue, "Dead-letter queue name or id")->required();
  cancel->callback([&o, f] {
    remote api{o};
    auto task = api.call("DELETE", path_of(api, f->queue));
    if (o.json)
      return print_json(task);
    std::cout << "Cancelled redrive " << field(task, "task_id") << " of queue " << f->queue << " ("
              << count_of(field(task, "messages_moved"), "message", "messages") << " moved).\n";
  });
}

} // namespace sluice::cli
