#include "cli/cluster_options.hpp"

#include <algorithm>
#include <set>

namespace sluice::cli {

namespace {

bool valid_address(const std::string& a) {
  auto colon = a.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == a.size())
    return false;
  try {
    size_t used = 0;
    auto port = std::stoul(a.substr(colon + 1), &used);
    return used == a.size() - colon - 1 && port > 0 && port < 65535;
  } catch (const std::exception&) {
    return false;
  }
}

} // namespace

std::string parse_members(const std::string& text, std::vector<storage::raft::member>& out) {
  std::set<uint64_t> ids;
  size_t pos = 0;
  while (pos <= text.size()) {
    auto comma = text.find(',', pos);
    auto part = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? text.size() + 1 : comma + 1;
    if (part.empty())
      continue;
    auto eq = part.find('=');
    uint64_t id = 0;
    try {
      size_t used = 0;
      id = eq == std::string::npos ? 0 : std::stoull(part.substr(0, eq), &used);
      if (used != eq)
        id = 0;
    } catch (const std::exception&) {
      id = 0;
    }
    auto address = eq == std::string::npos ? std::string{} : part.substr(eq + 1);
    if (id == 0 || !valid_address(address))
      return "--initial-members: '" + part
             + "' is not ID=HOST:PORT (a node id above 0 and its --raft-listen)";
    if (!ids.insert(id).second)
      return "--initial-members: node id " + std::to_string(id) + " appears twice";
    out.push_back({id, address, storage::raft::member_role::voter});
  }
  return {};
}

std::string cluster_config(const serve_options& opts, storage::replicated_config& out) {
  if (!valid_address(opts.raft_listen))
    return "--raft-listen must be HOST:PORT (below 65535: PORT+1 carries forwarded requests), "
           "got '"
           + opts.raft_listen + "'";
  out.store_dir = opts.data_dir + "/store";
  out.raft.id = opts.node_id;
  out.raft.address = opts.raft_listen;
  out.raft.data_dir = opts.data_dir + "/raft";
  if (opts.raft_snapshot_every != 0) {
    out.raft.snapshot_threshold = opts.raft_snapshot_every;
    out.raft.snapshot_trailing = std::max(1u, opts.raft_snapshot_every / 2);
  }
  if (auto err = parse_members(opts.initial_members, out.raft.initial_members); !err.empty())
    return err;
  if (!out.raft.initial_members.empty()) {
    bool listed = false;
    for (const auto& m : out.raft.initial_members)
      if (m.id == opts.node_id) {
        listed = true;
        if (m.address != opts.raft_listen)
          return "--initial-members lists node " + std::to_string(m.id) + " at " + m.address
                 + " but --raft-listen is " + opts.raft_listen + "; they must match";
      }
    if (!listed)
      return "--initial-members does not list this node (--node-id " + std::to_string(opts.node_id)
             + ")";
  }
  return {};
}

} // namespace sluice::cli
