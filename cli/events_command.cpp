// `sluice queues subscription …` (wrangler's flags) and `sluice events publish`.
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/time_format.hpp"
#include "events/catalog.hpp"
#include "http/json_writer.hpp"

namespace sluice::cli {

namespace {

/// "r2, kv, …": the sources of the catalog built into this binary, for --source help.
std::string source_choices() {
  std::string out;
  for (const auto& s : events::catalog::builtin().sources())
    out += (out.empty() ? "" : ", ") + s.type;
  return out;
}

/// Source fields by flag, as wrangler names them (plus --script-tag).
struct source_flags {
  std::string model_name, worker_name, workflow_name, zone_id, domain, ns, repo_name, script_tag;

  void add_to(CLI::App& cmd) {
    cmd.add_option("--model-name", model_name, "Workers AI model (source workersAi.model)");
    cmd.add_option("--worker-name", worker_name, "Worker (source workersBuilds.worker)");
    cmd.add_option("--workflow-name", workflow_name, "Workflow (source workflows.workflow)");
    cmd.add_option("--zone-id", zone_id, "Zone id (source email.sending)");
    cmd.add_option("--domain", domain, "Sending domain (source email.sending)");
    cmd.add_option("--source-namespace", ns, "Artifacts namespace (source artifacts.repo)");
    cmd.add_option("--source-repo-name", repo_name, "Artifacts repository (source artifacts.repo)");
    cmd.add_option("--script-tag", script_tag, "Worker script tag (source workers.script)");
  }

  /// `{"type":…, "model_name":…, …}` with the fields given.
  std::string json(const std::string& type) const {
    http::json_writer w;
    w.begin_object().key("type").value(type);
    for (auto [key, value] : std::initializer_list<std::pair<const char*, const std::string*>>{
             {"model_name", &model_name},
             {"worker_name", &worker_name},
             {"workflow_name", &workflow_name},
             {"zone_id", &zone_id},
             {"domain", &domain},
             {"namespace", &ns},
             {"repo_name", &repo_name},
             {"script_tag", &script_tag}})
      if (!value->empty())
        w.key(key).value(*value);
    return w.end_object().take();
  }
};

std::string events_json(const std::string& csv) {
  http::json_writer w;
  w.begin_array();
  size_t start = 0;
  while (start <= csv.size()) {
    auto end = csv.find(',', start);
    auto item = csv.substr(start, end == std::string::npos ? std::string::npos : end - start);
    while (!item.empty() && item.front() == ' ')
      item.erase(0, 1);
    while (!item.empty() && item.back() == ' ')
      item.pop_back();
    if (!item.empty())
      w.value(item);
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  return w.end_array().take();
}

struct subscription_flags {
  std::string queue, id, source, events, name;
  std::optional<bool> enabled;
  source_flags fields;
  std::optional<int64_t> page, per_page;
  bool force = false;
};

std::vector<std::string> row_of(simdjson::dom::element s) {
  return {field(s, "id"),     field(s, "name"),   field(s, "enabled"),
          field(s, "source"), field(s, "events"), human_time(field(s, "created_at"))};
}

const std::vector<std::string> headers{"id", "name", "enabled", "source", "events", "created"};

/// The subscription `id`, checked to deliver into `queue` (as wrangler checks).
simdjson::dom::element subscription_of(remote& api, const std::string& queue,
                                       const std::string& id) {
  auto qid = api.queue_id(queue);
  auto s = api.call("GET", "/event_subscriptions/subscriptions/" + id);
  simdjson::dom::element dest;
  if (s["destination"].get(dest) || field(dest, "queue_id") != qid)
    throw cli_error("event subscription '" + id + "' does not deliver to queue '" + queue + "'");
  return s;
}

void add_subscription_commands(CLI::App& queues, remote_options& o) {
  auto* sub = queues.add_subcommand("subscription", "Event subscriptions delivering into a queue");
  sub->require_subcommand(1);
  auto f = std::make_shared<subscription_flags>();

  auto* create = sub->add_subcommand("create", "Create an event subscription for a queue");
  create->add_option("queue", f->queue, "Destination queue name or id")->required();
  create->add_option("--source", f->source, "Event source type: " + source_choices())->required();
  create->add_option("--events", f->events, "Comma-separated event types")->required();
  create->add_option("--name", f->name, "Name (default: '<queue> <source>')");
  create->add_option("--enabled", f->enabled, "Whether it delivers (default true)");
  f->fields.add_to(*create);
  create->callback([&o, f] {
    remote api{o};
    http::json_writer w;
    w.begin_object().key("name").value(f->name.empty() ? f->queue + " " + f->source : f->name);
    w.key("enabled").value(f->enabled.value_or(true)).key("source").raw(f->fields.json(f->source));
    w.key("events").raw(events_json(f->events)).key("destination").begin_object();
    w.key("type").value("queues.queue").key("queue_id").value(api.queue_id(f->queue));
    auto s =
        api.call("POST", "/event_subscriptions/subscriptions", w.end_object().end_object().take());
    if (o.json)
      return print_json(s);
    std::cout << "Created event subscription '" << field(s, "name") << "' with id '"
              << field(s, "id") << "'.\n";
  });

  auto* ls = sub->add_subcommand("list", "List the event subscriptions of a queue");
  ls->add_option("queue", f->queue, "Queue name or id")->required();
  ls->add_option("--page", f->page, "Page number");
  ls->add_option("--per-page", f->per_page, "Subscriptions per page");
  ls->callback([&o, f] {
    remote api{o};
    auto path = "/event_subscriptions/subscriptions?queue_id=" + api.queue_id(f->queue);
    if (f->page || f->per_page)
      path += "&page=" + std::to_string(f->page.value_or(1))
              + "&per_page=" + std::to_string(f->per_page.value_or(20));
    auto list = api.call("GET", path);
    if (o.json)
      return print_json(list);
    std::vector<std::vector<std::string>> rows;
    for (auto s : items(list))
      rows.push_back(row_of(s));
    print_table(headers, rows);
  });

  auto* get = sub->add_subcommand("get", "Show one event subscription");
  get->add_option("queue", f->queue, "Queue name or id")->required();
  get->add_option("--id", f->id, "Subscription id")->required();
  get->callback([&o, f] {
    remote api{o};
    auto s = subscription_of(api, f->queue, f->id);
    if (o.json)
      return print_json(s);
    print_table(headers, {row_of(s)});
  });

  auto* update = sub->add_subcommand("update", "Change an event subscription");
  update->add_option("queue", f->queue, "Queue name or id")->required();
  update->add_option("--id", f->id, "Subscription id")->required();
  update->add_option("--name", f->name, "New name");
  update->add_option("--events", f->events, "New comma-separated event types");
  update->add_option("--enabled", f->enabled, "Whether it delivers");
  update->callback([&o, f] {
    remote api{o};
    subscription_of(api, f->queue, f->id);
    http::json_writer w;
    w.begin_object();
    if (!f->name.empty())
      w.key("name").value(f->name);
    if (!f->events.empty())
      w.key("events").raw(events_json(f->events));
    if (f->enabled)
      w.key("enabled").value(*f->enabled);
    auto s =
        api.call("PATCH", "/event_subscriptions/subscriptions/" + f->id, w.end_object().take());
    if (o.json)
      return print_json(s);
    std::cout << "Updated event subscription '" << field(s, "name") << "'.\n";
  });

  auto* del = sub->add_subcommand("delete", "Delete an event subscription");
  del->add_option("queue", f->queue, "Queue name or id")->required();
  del->add_option("--id", f->id, "Subscription id")->required();
  del->add_flag("--force", f->force, "Accepted for wrangler compatibility (no prompt is shown)");
  del->callback([&o, f] {
    remote api{o};
    subscription_of(api, f->queue, f->id);
    api.call("DELETE", "/event_subscriptions/subscriptions/" + f->id);
    std::cout << "Deleted event subscription '" << f->id << "'.\n";
  });
}

struct publish_flags {
  std::string source, event, payload = "{}", file;
  std::optional<int64_t> version;
  source_flags fields;
};

/// Publishes `events` (JSON objects) in requests of at most 100.
uint64_t publish_all(remote& api, const std::vector<std::string>& events) {
  uint64_t deliveries = 0;
  for (size_t i = 0; i < events.size(); i += 100) {
    http::json_writer w;
    w.begin_object().key("events").begin_array();
    for (size_t j = i; j < events.size() && j < i + 100; ++j)
      w.raw(events[j]);
    auto r = api.call("POST", "/event_subscriptions/events", w.end_array().end_object().take());
    int64_t n = 0;
    if (!r["deliveries"].get(n))
      deliveries += static_cast<uint64_t>(n);
  }
  return deliveries;
}

void add_publish_command(CLI::App& app, remote_options& o) {
  auto* events = app.add_subcommand(
      "events", "Publish events (needs events_publish) and list the event catalog");
  events->require_subcommand(1);
  auto f = std::make_shared<publish_flags>();
  auto* pub = events->add_subcommand(
      "publish", "Publish one event (--source, --event, --payload), or one per line of --file");
  pub->add_option("--source", f->source, "Source type: " + source_choices());
  pub->add_option("--event", f->event, "Event type, e.g. bucket.created");
  pub->add_option("--payload", f->payload, "Payload JSON object; '-' reads stdin");
  pub->add_option("--schema-version", f->version, "Schema version (default: the latest)");
  pub->add_option("--file", f->file,
                  "Each non-empty line: one event {source, event, payload, schema_version?}");
  f->fields.add_to(*pub);
  pub->callback([&o, f] {
    std::vector<std::string> lines;
    if (!f->file.empty()) {
      std::ifstream in{f->file};
      if (!in)
        throw cli_error("cannot read " + f->file);
      for (std::string line; std::getline(in, line);)
        if (!line.empty())
          lines.push_back(line);
    } else {
      if (f->source.empty() || f->event.empty())
        throw cli_error("pass --source and --event (or --file)");
      auto payload = f->payload;
      if (payload == "-")
        payload.assign(std::istreambuf_iterator<char>{std::cin}, {});
      simdjson::dom::parser p;
      simdjson::dom::object obj;
      if (p.parse(payload).get(obj))
        throw cli_error("--payload must be a JSON object");
      http::json_writer w;
      w.begin_object().key("source").raw(f->fields.json(f->source)).key("event").value(f->event);
      if (f->version)
        w.key("schema_version").value(*f->version);
      lines.push_back(w.key("payload").raw(simdjson::minify(obj)).end_object().take());
    }
    remote api{o};
    auto deliveries = publish_all(api, lines);
    if (o.json)
      std::cout << R"({"published":)" << lines.size() << R"(,"deliveries":)" << deliveries << "}\n";
    else
      std::cout << "Published " << count_of(lines.size(), "event", "events") << ", "
                << count_of(deliveries, "delivery", "deliveries") << ".\n";
  });
}

/// `sluice events sources`: every source with its events; with a SOURCE, each
/// event's schema versions and their payload fields.
void add_sources_command(CLI::App& events, remote_options& o) {
  auto source = std::make_shared<std::string>();
  auto* cmd = events.add_subcommand(
      "sources", "List the event sources and their events; with SOURCE, their payload schemas");
  cmd->add_option("source", *source, "A source type: " + source_choices());
  cmd->callback([&o, source] {
    remote api{o};
    if (source->empty()) {
      auto list = api.call("GET", "/event_subscriptions/sources");
      if (o.json)
        return print_json(list);
      std::vector<std::vector<std::string>> rows;
      for (auto s : items(list)) {
        std::string names, fields;
        for (auto e : items(s["events"]))
          names += (names.empty() ? "" : ", ") + field(e, "type");
        for (auto f : items(s["required_fields"]))
          fields += (fields.empty() ? "" : ", ") + std::string{f.get_string().value_unsafe()};
        rows.push_back({field(s, "type"), fields.empty() ? "-" : fields, names});
      }
      print_table({"source", "required fields", "events"}, rows);
      std::cout << "'sluice events sources SOURCE' shows the payload schemas of a source.\n";
      return;
    }
    auto s = api.call("GET", "/event_subscriptions/sources/" + *source);
    if (o.json)
      return print_json(s);
    std::string fields;
    for (auto f : items(s["required_fields"]))
      fields += (fields.empty() ? "" : ", ") + std::string{f.get_string().value_unsafe()};
    std::cout << "Source " << field(s, "type")
              << " (subscriptions set: " << (fields.empty() ? "nothing more" : fields) << ")\n";
    for (auto e : items(s["events"])) {
      for (auto v : items(e["versions"])) {
        std::cout << "\n" << field(e, "type") << "  schema version " << field(v, "version") << "\n";
        for (auto f : items(v["fields"]))
          std::cout << "  " << field(f, "name") << ": " << field(f, "type")
                    << (field(f, "required") == "true" ? ", required" : "") << "\n";
      }
    }
  });
}

} // namespace

void add_event_commands(CLI::App& app, remote_options& o) {
  auto* queues = app.get_subcommand("queues");
  add_subscription_commands(*queues, o);
  add_publish_command(app, o);
  add_sources_command(*app.get_subcommand("events"), o);
}

} // namespace sluice::cli
