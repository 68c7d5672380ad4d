// `sluice queues …`: wrangler's queue commands against a Sluice server.
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/consumer_view.hpp"
#include "cli/message_view.hpp"
#include "cli/output.hpp"
#include "cli/time_format.hpp"
#include "http/json_writer.hpp"

namespace sluice::cli {

namespace {

struct queue_flags {
  std::string queue;
  std::string jurisdiction; ///< create only; "" = none
  std::optional<int64_t> delivery_delay;
  std::optional<int64_t> retention;
  std::string consumer_mode; ///< "" = not given
  std::optional<int64_t> dedup_window;
};

/// `{"delivery_delay":…,"message_retention_period":…}` with the flags given.
std::string settings_json(const queue_flags& f, std::optional<bool> paused = {}) {
  http::json_writer w;
  w.begin_object();
  if (f.delivery_delay)
    w.key("delivery_delay").value(*f.delivery_delay);
  if (f.retention)
    w.key("message_retention_period").value(*f.retention);
  if (f.dedup_window)
    w.key("dedup_window_seconds").value(*f.dedup_window);
  if (paused)
    w.key("delivery_paused").value(*paused);
  if (!f.consumer_mode.empty())
    w.key("consumer_mode").value(f.consumer_mode);
  return w.end_object().take();
}

void add_settings_flags(CLI::App& cmd, queue_flags& f) {
  cmd.add_option("--delivery-delay-secs", f.delivery_delay,
                 "Seconds before a new message can be delivered (0-86400)");
  cmd.add_option("--message-retention-period-secs", f.retention,
                 "Seconds a message is kept (60-1209600)");
  cmd.add_option("--consumer-mode", f.consumer_mode,
                 "single (one consumer, the default) or multi (several consumers, each gets every "
                 "message)");
  cmd.add_option("--dedup-window-secs", f.dedup_window,
                 "Seconds a send's dedup id is remembered (0-43200, 0 turns dedup off)");
}

void list(remote& api, const remote_options& o, std::optional<int64_t> page) {
  auto result = api.call("GET", "/queues" + (page ? "?page=" + std::to_string(*page) : ""));
  if (o.json)
    return print_json(result);
  // As wrangler: a jurisdiction column only when some queue has one.
  bool jurisdictions = false;
  for (auto q : items(result))
    jurisdictions = jurisdictions || !field(q, "jurisdiction").empty();
  std::vector<std::vector<std::string>> rows;
  for (auto q : items(result)) {
    std::vector<std::string> row{field(q, "queue_id"), field(q, "queue_name")};
    if (jurisdictions)
      row.push_back(field(q, "jurisdiction"));
    for (auto v : {human_time(field(q, "created_on")), human_time(field(q, "modified_on")),
                   field(q, "producers_total_count"), field(q, "consumers_total_count")})
      row.push_back(v);
    rows.push_back(std::move(row));
  }
  std::vector<std::string> header{"id", "name"};
  if (jurisdictions)
    header.emplace_back("jurisdiction");
  for (auto h : {"created", "modified", "producers", "consumers"})
    header.emplace_back(h);
  print_table(header, rows);
}

void info(remote& api, const remote_options& o, const std::string& queue) {
  auto id = api.queue_id(queue);
  auto q = api.call("GET", "/queues/" + id);
  if (o.json)
    return print_json(q);
  simdjson::dom::element s;
  if (q["settings"].get(s))
    throw cli_error("the server's queue has no settings");
  std::cout << "Queue Name: " << field(q, "queue_name") << "\nQueue ID: " << id;
  if (auto j = field(q, "jurisdiction"); !j.empty())
    std::cout << "\nJurisdiction: " << j;
  std::cout << "\nCreated On: " << human_time(field(q, "created_on"))
            << "\nLast Modified: " << human_time(field(q, "modified_on"))
            << "\nNumber of Producers: " << field(q, "producers_total_count")
            << "\nNumber of Consumers: " << field(q, "consumers_total_count")
            << "\nDelivery Delay: " << field(s, "delivery_delay") << " s"
            << "\nMessage Retention Period: " << field(s, "message_retention_period") << " s"
            << "\nDelivery Paused: " << field(s, "delivery_paused")
            << "\nDedup Window: " << field(s, "dedup_window_seconds") << " s\n";
  if (field(s, "consumer_mode") == "multi")
    std::cout << "Consumer Mode: multi (each consumer gets every message)\n";
  for (auto c : items(q["consumers"]))
    std::cout << consumer_text(c);
  auto m = api.call("GET", "/queues/" + id + "/metrics");
  std::cout << "Backlog: " << count_of(field(m, "backlog_count"), "message", "messages") << ", "
            << count_of(field(m, "backlog_bytes"), "byte", "bytes") << " (" << holdings_text(m)
            << ")\n";
  // A fan-out queue: what each consumer still has to process.
  simdjson::dom::array consumers;
  if (m["consumers"].get(consumers) == simdjson::SUCCESS)
    for (auto c : consumers)
      std::cout << "Backlog of consumer " << field(c, "consumer_id") << ": "
                << count_of(field(c, "backlog_count"), "message", "messages") << " ("
                << holdings_text(c) << ")\n";
}

bool confirm_purge(const std::string& queue) {
  if (!is_terminal(STDIN_FILENO))
    throw cli_error("purging deletes every message of '" + queue
                    + "': pass --force to do it without a prompt");
  std::cout << "This deletes every message in queue '" << queue
            << "', including delayed ones. Type the queue name to proceed: " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == queue;
}

struct consumer_flags {
  std::string queue;
  std::string script;
  std::optional<int64_t> batch_size, batch_timeout, retries, max_concurrency, retry_delay,
      visibility_timeout;
  std::string dead_letter_queue;
  std::string consumer_id; ///< remove: which one, on a queue with several ("" = the first)
};

std::string consumer_json(const consumer_flags& f, const char* type) {
  http::json_writer w;
  w.begin_object().key("type").value(type);
  if (!f.script.empty())
    w.key("script_name").value(f.script);
  if (!f.dead_letter_queue.empty())
    w.key("dead_letter_queue").value(f.dead_letter_queue);
  w.key("settings").begin_object();
  if (f.batch_size)
    w.key("batch_size").value(*f.batch_size);
  if (f.retries)
    w.key("max_retries").value(*f.retries);
  if (f.retry_delay)
    w.key("retry_delay").value(*f.retry_delay);
  if (f.batch_timeout)
    w.key("max_wait_time_ms").value(*f.batch_timeout * 1000);
  if (f.max_concurrency)
    w.key("max_concurrency").value(*f.max_concurrency);
  if (f.visibility_timeout)
    w.key("visibility_timeout_ms").value(*f.visibility_timeout * 1000);
  return w.end_object().end_object().take();
}

void add_consumer_flags(CLI::App& cmd, consumer_flags& f, bool worker) {
  cmd.add_option("--batch-size", f.batch_size, "Messages per batch (1-100)");
  cmd.add_option("--message-retries", f.retries, "Deliveries before dead-lettering (0-100)");
  cmd.add_option("--dead-letter-queue", f.dead_letter_queue,
                 "Queue for messages that ran out of retries (created if missing)");
  cmd.add_option("--retry-delay-secs", f.retry_delay, "Seconds before a retried message returns");
  if (worker) {
    cmd.add_option("--batch-timeout", f.batch_timeout, "Seconds to wait to fill a batch");
    cmd.add_option("--max-concurrency", f.max_concurrency, "Most concurrent invocations");
  } else {
    cmd.add_option("--visibility-timeout-secs", f.visibility_timeout,
                   "Seconds a pulled message stays leased");
  }
}

/// Removes the consumer of `queue` of `type` (and script, for workers).
void remove_consumer(remote& api, const consumer_flags& f, const std::string& type) {
  auto id = api.queue_id(f.queue);
  for (auto c : items(api.call("GET", "/queues/" + id + "/consumers"))) {
    if (field(c, "type") != type || (!f.script.empty() && field(c, "script_name") != f.script)
        || (!f.consumer_id.empty() && field(c, "consumer_id") != f.consumer_id))
      continue;
    api.call("DELETE", "/queues/" + id + "/consumers/" + field(c, "consumer_id"));
    std::cout << "Removed consumer from queue " << f.queue << ".\n";
    return;
  }
  throw cli_error("queue '" + f.queue + "' has no " + type + " consumer"
                  + (f.script.empty() ? "" : " for script '" + f.script + "'")
                  + (f.consumer_id.empty() ? "" : " with id '" + f.consumer_id + "'"));
}

void add_consumer(remote& api, const consumer_flags& f, const char* type) {
  auto id = api.queue_id(f.queue);
  api.call("POST", "/queues/" + id + "/consumers", consumer_json(f, type));
  std::cout << "Added consumer to queue " << f.queue << ".\n";
}

/// `consumer add|remove QUEUE SCRIPT` (worker) under `parent`.
void add_worker_consumer_commands(CLI::App& parent, remote_options& o,
                                  const std::shared_ptr<consumer_flags>& f) {
  auto* add = parent.add_subcommand("add", "Add a worker consumer to a queue");
  add->add_option("queue", f->queue, "Queue name or id")->required();
  add->add_option("script-name", f->script, "Script (consumer plugin) to run")->required();
  add_consumer_flags(*add, *f, true);
  add->callback([&o, f] {
    remote api{o};
    add_consumer(api, *f, "worker");
  });
  auto* rm = parent.add_subcommand("remove", "Remove a worker consumer from a queue");
  rm->add_option("queue", f->queue, "Queue name or id")->required();
  rm->add_option("script-name", f->script, "Script of the consumer")->required();
  rm->callback([&o, f] {
    remote api{o};
    remove_consumer(api, *f, "worker");
  });
}

} // namespace

void add_queues_commands(CLI::App& app, remote_options& o) {
  auto* queues = app.add_subcommand("queues", "Manage queues (wrangler's 'queues' commands)");
  queues->require_subcommand(1);
  auto f = std::make_shared<queue_flags>();

  auto* ls = queues->add_subcommand("list", "List the queues of the account");
  auto page = std::make_shared<std::optional<int64_t>>();
  ls->add_option("--page", *page, "Page number (100 queues a page)");
  ls->callback([&o, page] {
    remote api{o};
    list(api, o, *page);
  });

  auto* create = queues->add_subcommand("create", "Create a queue");
  create->add_option("name", f->queue, "Queue name")->required();
  add_settings_flags(*create, *f);
  create->add_option("--jurisdiction", f->jurisdiction,
                     "Where the queue's data is kept: eu, us or fedramp (stored and shown; "
                     "fixed once created)");
  create->callback([&o, f] {
    remote api{o};
    http::json_writer w;
    w.begin_object().key("queue_name").value(f->queue);
    if (!f->jurisdiction.empty())
      w.key("jurisdiction").value(f->jurisdiction);
    w.key("settings").raw(settings_json(*f));
    auto q = api.call("POST", "/queues", w.end_object().take());
    if (o.json)
      return print_json(q);
    std::cout << "Created queue " << f->queue << " (" << field(q, "queue_id") << ").\n";
  });

  // PATCH: what is not given stays. The API's PUT replaces instead (docs/api.md).
  auto* update = queues->add_subcommand(
      "update", "Change a queue's settings; settings not given keep their value (a PATCH; the "
                "API's PUT replaces them all, resetting those it omits)");
  update->add_option("name", f->queue, "Queue name or id")->required();
  add_settings_flags(*update, *f);
  update->callback([&o, f] {
    remote api{o};
    auto q = api.call("PATCH", "/queues/" + api.queue_id(f->queue),
                      R"({"settings":)" + settings_json(*f) + "}");
    if (o.json)
      return print_json(q);
    std::cout << "Updated queue " << f->queue << ".\n";
  });

  auto* del = queues->add_subcommand("delete", "Delete a queue and its messages");
  del->add_option("name", f->queue, "Queue name or id")->required();
  del->callback([&o, f] {
    remote api{o};
    api.call("DELETE", "/queues/" + api.queue_id(f->queue));
    std::cout << "Deleted queue " << f->queue << ".\n";
  });

  auto* inf = queues->add_subcommand("info", "Show a queue, its consumers and backlog");
  inf->add_option("name", f->queue, "Queue name or id")->required();
  inf->callback([&o, f] {
    remote api{o};
    info(api, o, f->queue);
  });

  for (bool pause : {true, false}) {
    auto* cmd = queues->add_subcommand(pause ? "pause-delivery" : "resume-delivery",
                                       pause ? "Stop delivering messages (sends still work)"
                                             : "Deliver messages again");
    cmd->add_option("name", f->queue, "Queue name or id")->required();
    cmd->callback([&o, f, pause] {
      remote api{o};
      api.call("PATCH", "/queues/" + api.queue_id(f->queue),
               R"({"settings":)" + settings_json({}, pause) + "}");
      std::cout << (pause ? "Paused" : "Resumed") << " delivery for queue " << f->queue << ".\n";
    });
  }

  auto* purge = queues->add_subcommand("purge", "Delete every message of a queue");
  purge->add_option("name", f->queue, "Queue name or id")->required();
  auto force = std::make_shared<bool>(false);
  purge->add_flag("--force", *force, "Do not ask for confirmation");
  purge->callback([&o, f, force] {
    if (!*force && !confirm_purge(f->queue))
      throw cli_error("not purged: the name did not match");
    remote api{o};
    api.call("POST", "/queues/" + api.queue_id(f->queue) + "/purge",
             R"({"delete_messages_permanently":true})");
    std::cout << "Purged queue " << f->queue << ".\n";
  });

  auto* consumer = queues->add_subcommand("consumer", "Add or remove a queue's consumer");
  consumer->require_subcommand(1);
  auto cf = std::make_shared<consumer_flags>();
  add_worker_consumer_commands(*consumer, o, cf);
  auto* worker = consumer->add_subcommand("worker", "Worker (push) consumers");
  worker->require_subcommand(1);
  add_worker_consumer_commands(*worker, o, cf);
  auto* http_cmd = consumer->add_subcommand("http", "HTTP pull consumers");
  http_cmd->require_subcommand(1);
  auto* http_add = http_cmd->add_subcommand("add", "Add an HTTP pull consumer to a queue");
  http_add->add_option("queue", cf->queue, "Queue name or id")->required();
  add_consumer_flags(*http_add, *cf, false);
  http_add->callback([&o, cf] {
    remote api{o};
    add_consumer(api, *cf, "http_pull");
  });
  auto* http_rm = http_cmd->add_subcommand("remove", "Remove a queue's HTTP pull consumer");
  http_rm->add_option("queue", cf->queue, "Queue name or id")->required();
  http_rm->add_option("--consumer-id", cf->consumer_id,
                      "Which one, on a queue with several (consumer mode multi); default: the "
                      "first");
  http_rm->callback([&o, cf] {
    remote api{o};
    remove_consumer(api, *cf, "http_pull");
  });
}

} // namespace sluice::cli
