// `sluice cluster status|add|remove` (docs/cluster.md): a cluster's members,
// roles and indexes as one node sees them, and membership changes.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"

namespace sluice::cli {

namespace {

struct member_flags {
  uint64_t id = 0;
  std::string address;
};

uint64_t number(simdjson::dom::element obj, const char* key) {
  uint64_t n = 0;
  if (obj[key].get(n))
    return 0;
  return n;
}

void print_status(simdjson::dom::element s) {
  simdjson::dom::element leader = s["leader"].value();
  std::cout << "node " << number(s, "node_id") << ": " << field(s, "role")
            << (s["serving"].get_bool().value() ? ", serving" : "") << ", term "
            << number(s, "term") << "\n";
  if (leader.is_null())
    std::cout << "leader: none known\n";
  else
    std::cout << "leader: node " << number(leader, "id") << " at " << field(leader, "address")
              << "\n";
  auto commit = number(s, "commit_index");
  auto applied = number(s, "applied_index");
  std::cout << "commit index " << commit << ", applied " << applied << ", lag "
            << (commit > applied ? commit - applied : 0) << ", last log index "
            << number(s, "last_index") << "\n";
  std::vector<std::vector<std::string>> rows;
  for (auto m : items(s["members"])) {
    auto id = number(m, "id");
    bool leads = !leader.is_null() && number(leader, "id") == id;
    rows.push_back(
        {std::to_string(id), field(m, "address"), field(m, "role"), leads ? "leader" : ""});
  }
  print_table({"id", "raft address", "role", ""}, rows);
}

} // namespace

CLI::App* add_cluster_commands(CLI::App& app, remote_options& o) {
  auto* cluster =
      app.add_subcommand("cluster", "Show and change the members of a cluster (docs/cluster.md)");
  cluster->require_subcommand(1);
  auto f = std::make_shared<member_flags>();

  auto* status = cluster->add_subcommand(
      "status", "Members, roles, leader, commit and applied index as the node at --url sees them");
  status->callback([&o] {
    remote api{o, false};
    auto s = api.call_root("GET", "/cluster");
    if (o.json)
      return print_json(s);
    print_status(s);
  });

  auto* add = cluster->add_subcommand(
      "add", "Add a node (started with --node-id ID --raft-listen ADDRESS and no "
             "--initial-members); it becomes a voter once it has caught up");
  add->add_option("id", f->id, "The new node's --node-id")->required()->check(CLI::PositiveNumber);
  add->add_option("address", f->address, "The new node's --raft-listen, HOST:PORT")->required();
  add->callback([&o, f] {
    remote api{o, false};
    api.call_root("POST", "/cluster/members",
                  R"({"id":)" + std::to_string(f->id) + R"(,"address":")" + f->address + "\"}");
    std::cout << "node " << f->id << " at " << f->address << " is a voting member\n";
  });

  auto* remove = cluster->add_subcommand("remove", "Remove a node from the cluster");
  remove->add_option("id", f->id, "The node's --node-id")->required()->check(CLI::PositiveNumber);
  remove->callback([&o, f] {
    remote api{o, false};
    api.call_root("DELETE", "/cluster/members/" + std::to_string(f->id));
    std::cout << "node " << f->id << " is no longer a member\n";
  });
  return cluster;
}

} // namespace sluice::cli
