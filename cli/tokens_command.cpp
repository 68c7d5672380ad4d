// `sluice tokens create|list|revoke`: the token API (docs/auth.md).
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

struct token_flags {
  std::string name;
  std::vector<std::string> permissions;
  bool all_accounts = false;
  std::string id;
};

} // namespace

void add_token_commands(CLI::App& app, remote_options& o) {
  auto* tokens = app.add_subcommand("tokens", "Manage API tokens (needs admin)");
  tokens->require_subcommand(1);
  auto f = std::make_shared<token_flags>();

  auto* create = tokens->add_subcommand("create", "Create a token; its secret is shown once");
  create->add_option("--name", f->name, "What the token is for");
  create
      ->add_option("--permissions", f->permissions,
                   "queues_read, queues_write, events_publish, admin")
      ->required()
      ->delimiter(',');
  create->add_flag("--all-accounts", f->all_accounts, "Valid for every account");
  create->callback([&o, f] {
    remote api{o};
    http::json_writer w;
    w.begin_object().key("name").value(f->name).key("permissions").begin_array();
    for (const auto& p : f->permissions)
      w.value(p);
    w.end_array().key("all_accounts").value(f->all_accounts).end_object();
    auto t = api.call("POST", "/sluice/tokens", w.take());
    if (o.json)
      return print_json(t);
    std::cout << "Created token " << field(t, "id") << ". Its secret, shown only now:\n"
              << field(t, "value") << "\n";
  });

  auto* ls = tokens->add_subcommand("list", "List the account's tokens (never their secrets)");
  ls->callback([&o] {
    remote api{o};
    auto list = api.call("GET", "/sluice/tokens");
    if (o.json)
      return print_json(list);
    std::vector<std::vector<std::string>> rows;
    for (auto t : items(list))
      rows.push_back({field(t, "id"), field(t, "name"), field(t, "account"),
                      field(t, "permissions"), human_time(field(t, "created_on"))});
    print_table({"id", "name", "account", "permissions", "created"}, rows);
  });

  auto* revoke = tokens->add_subcommand("revoke", "Revoke a token at once");
  revoke->add_option("id", f->id, "Token id (from 'tokens list')")->required();
  revoke->callback([&o, f] {
    remote api{o};
    api.call("DELETE", "/sluice/tokens/" + f->id);
    std::cout << "Revoked token " << f->id << ".\n";
  });
}

} // namespace sluice::cli
