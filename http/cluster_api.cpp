// Cluster status and membership (docs/cluster.md): GET /client/v4/cluster runs
// on the node it reaches and shows that node's view; member changes run on the
// leader (forwarded there like any API call).
#include <memory>

#include "http/api.hpp"
#include "http/auth.hpp"
#include "http/envelope.hpp"
#include "http/json_reader.hpp"
#include "http/json_writer.hpp"

namespace sluice::http {

namespace {

/// Cluster routes act on no account: only a token of every account may use
/// them (`covers` holds for all-accounts tokens only).
constexpr std::string_view cluster_scope = "cluster";

bool require_cluster(api_context& ctx, responder& reply) {
  if (ctx.cluster != nullptr)
    return true;
  reply(fail(errc::not_found, "this server runs as a single node (started without --node-id); "
                              "see docs/cluster.md to run a cluster"));
  return false;
}

std::string render(const cluster_view& v) {
  json_writer w;
  w.begin_object().key("node_id").value(v.node_id).key("role").value(v.role);
  w.key("serving").value(v.serving).key("term").value(v.term).key("leader");
  if (v.leader_id == 0)
    w.null();
  else
    w.begin_object()
        .key("id")
        .value(v.leader_id)
        .key("address")
        .value(v.leader_address)
        .end_object();
  w.key("commit_index").value(v.commit_index).key("applied_index").value(v.applied_index);
  w.key("last_index").value(v.last_index).key("members").begin_array();
  for (const auto& m : v.members)
    w.begin_object()
        .key("id")
        .value(m.id)
        .key("address")
        .value(m.address)
        .key("role")
        .value(m.role)
        .end_object();
  w.end_array().end_object();
  return w.take();
}

cluster_control::done_fn answer_change(responder reply) {
  return [reply = std::move(reply)](errc code, std::string message) {
    reply(code == errc::none ? ok({}) : fail(code, message));
  };
}

void status(api_context& ctx, request& req, path_params&, responder reply) {
  if (!require_cluster(ctx, reply))
    return;
  authorize(
      ctx, req, cluster_scope, storage::perm_admin,
      [&ctx, reply](principal) { reply(ok(render(ctx.cluster->status()))); }, reply);
}

void add_member(api_context& ctx, request& req, path_params&, responder reply) {
  if (!require_cluster(ctx, reply))
    return;
  authorize(
      ctx, req, cluster_scope, storage::perm_admin,
      [&ctx, body = req.body, reply](principal) {
        json_reader in;
        if (auto err = in.parse(body); !err.empty()) {
          reply(fail(in.malformed() ? errc::malformed_json : errc::invalid_request, err));
          return;
        }
        caf::optional<int64_t> id;
        caf::optional<std::string> address;
        auto err = json_reader::get_int(in.root(), "id", "id", id);
        if (err.empty())
          err = json_reader::get_string(in.root(), "address", "address", address);
        if (err.empty() && (!id || *id <= 0))
          err = "id is required: the new node's --node-id, a number above 0";
        if (err.empty() && (!address || address->find(':') == std::string::npos))
          err = "address is required: the new node's --raft-listen, as HOST:PORT";
        if (!err.empty()) {
          reply(fail(errc::invalid_request, err));
          return;
        }
        ctx.cluster->add_member(static_cast<uint64_t>(*id), *address, answer_change(reply));
      },
      reply);
}

void remove_member(api_context& ctx, request& req, path_params& p, responder reply) {
  if (!require_cluster(ctx, reply))
    return;
  authorize(
      ctx, req, cluster_scope, storage::perm_admin,
      [&ctx, id_text = p[0], reply](principal) {
        uint64_t id = 0;
        try {
          size_t used = 0;
          id = std::stoull(id_text, &used);
          if (used != id_text.size())
            id = 0;
        } catch (const std::exception&) {
          id = 0;
        }
        if (id == 0) {
          reply(fail(errc::invalid_request,
                     "member id must be a node id above 0, got '" + id_text + "'"));
          return;
        }
        ctx.cluster->remove_member(id, answer_change(reply));
      },
      reply);
}

} // namespace

void add_cluster_routes(router& r, api_context& ctx) {
  r.add("cluster.status", "GET", "/client/v4/cluster", with_context(ctx, status),
        route_scope::node);
  r.add("cluster.members.add", "POST", "/client/v4/cluster/members", with_context(ctx, add_member));
  r.add("cluster.members.remove", "DELETE", "/client/v4/cluster/members/{id}",
        with_context(ctx, remove_member));
}

} // namespace sluice::http
