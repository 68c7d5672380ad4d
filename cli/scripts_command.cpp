// `sluice scripts deploy|list|delete|plugins`: the scripts API (docs/plugins.md,
// docs/plugins.md): deployed consumer plugins that worker consumers name.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/time_format.hpp"
#include "http/json_writer.hpp"

namespace sluice::cli {

namespace {

struct script_flags {
  std::string name;
  std::string plugin;
  std::vector<std::string> vars; ///< NAME=VALUE or NAME:VALUE (wrangler's form)
};

/// `{"plugin": …, "env": {…}}` from the flags. A `--var` splits at its first
/// '=' or ':' (so `URL:http://h/?a=b` and `URL=http://h/` both work).
std::string script_body(const script_flags& f) {
  http::json_writer w;
  w.begin_object().key("plugin").value(f.plugin).key("env").begin_object();
  for (const auto& v : f.vars) {
    auto eq = v.find_first_of("=:");
    if (eq == std::string::npos || eq == 0)
      throw cli_error("--var must be NAME=VALUE (or NAME:VALUE), got '" + v + "'");
    w.key(v.substr(0, eq)).value(v.substr(eq + 1));
  }
  return w.end_object().end_object().take();
}

} // namespace

void add_script_commands(CLI::App& app, remote_options& o) {
  auto* scripts =
      app.add_subcommand("scripts", "Deploy consumer plugins as scripts for worker consumers");
  scripts->require_subcommand(1);
  auto f = std::make_shared<script_flags>();

  auto* deploy = scripts->add_subcommand("deploy", "Create or replace a script (needs admin)");
  deploy->add_option("name", f->name, "Script name (what 'queues consumer add' names)")->required();
  deploy->add_option("--plugin", f->plugin, "The plugin it runs (see 'scripts plugins')")
      ->required();
  deploy->add_option("--var", f->vars,
                     "A variable NAME=VALUE or NAME:VALUE (repeatable), e.g. URL=http://…");
  deploy->callback([&o, f] {
    remote api{o};
    auto s = api.call("PUT", "/sluice/scripts/" + f->name, script_body(*f));
    if (o.json)
      return print_json(s);
    std::cout << "Deployed script " << field(s, "name") << " (plugin " << field(s, "plugin")
              << ").\n";
  });

  auto* ls = scripts->add_subcommand("list", "List the account's scripts");
  ls->callback([&o] {
    remote api{o};
    auto list = api.call("GET", "/sluice/scripts");
    if (o.json)
      return print_json(list);
    std::vector<std::vector<std::string>> rows;
    for (auto s : items(list))
      rows.push_back({field(s, "name"), field(s, "plugin"), field(s, "env"),
                      human_time(field(s, "modified_on"))});
    print_table({"name", "plugin", "env", "modified"}, rows);
  });

  auto* del = scripts->add_subcommand("delete", "Delete a script no consumer uses (needs admin)");
  del->add_option("name", f->name, "Script name")->required();
  del->callback([&o, f] {
    remote api{o};
    api.call("DELETE", "/sluice/scripts/" + f->name);
    std::cout << "Deleted script " << f->name << ".\n";
  });

  auto* plugins = scripts->add_subcommand("plugins", "List the plugins a script can run");
  plugins->callback([&o] {
    remote api{o};
    auto list = api.call("GET", "/sluice/plugins");
    if (o.json)
      return print_json(list);
    for (auto p : items(list)) {
      std::string_view name;
      if (p.get(name) == simdjson::SUCCESS)
        std::cout << name << "\n";
    }
  });
}

} // namespace sluice::cli
