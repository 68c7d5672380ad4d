// Cluster forwarding (docs/cluster.md, "Any node serves") with both nodes'
// forwarder, gateway and gate in one deterministic actor system: the
// follower's router hands leader routes to its gate, the forwarder batches
// them to the leader's gateway, and responses or failures come back.
#include <catch2/catch.hpp>

#include <caf/send.hpp>

#include "actor_fixture.hpp"
#include "http/cluster/cluster_gate.hpp"
#include "http/cluster/forwarder.hpp"
#include "http/cluster/gateway.hpp"
#include "http/cluster/pending_forwards.hpp"
#include "http/envelope.hpp"
#include "http/router.hpp"

using namespace sluice;
using namespace sluice::http;

namespace {

std::string header_of(const response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name)
      return v;
  return {};
}

/// One node: routes, the gate they pass, its forwarder and gateway.
struct node {
  router routes;
  std::shared_ptr<pending_forwards> pending = std::make_shared<pending_forwards>();
  forwarder_actor forwarder;
  std::unique_ptr<cluster_gate> gate;
  gateway_actor gateway;
  /// Requests the leader's "echo" handler saw, and the responders of the
  /// ones it holds ("/hold").
  std::vector<std::string> seen;
  std::vector<responder> held;

  node(caf::actor_system& sys,
       std::function<std::optional<gateway_actor>(const forward_to&)> find) {
    routes.add("echo", "POST", "/echo", [this](request& req, path_params&, responder reply) {
      seen.push_back(req.body + "|" + req.authorization + "|" + req.peer);
      response r;
      r.status = 201;
      r.body = "echo:" + req.body;
      r.headers.emplace_back("x-served-by", "leader");
      reply(std::move(r));
    });
    routes.add("hold", "POST", "/hold",
               [this](request&, path_params&, responder reply) { held.push_back(reply); });
    routes.add(
        "local", "GET", "/local",
        [](request&, path_params&, responder reply) { reply(ok(R"("here")")); }, route_scope::node);
    forwarder = spawn_forwarder(sys, {pending, std::move(find)});
    gate = std::make_unique<cluster_gate>(forwarder, pending);
    routes.set_gate(
        [g = gate.get()](request& req, responder& reply) { return g->take(req, reply); });
    gateway = spawn_gateway(sys, routes, *gate);
  }
};

struct forward_fixture : test::actor_fixture {
  std::unique_ptr<node> leader;
  std::unique_ptr<node> follower;
  bool leader_reachable = true;

  forward_fixture() {
    leader = std::make_unique<node>(sys(), nullptr);
    follower = std::make_unique<node>(sys(), [this](const forward_to& to) {
      return to.leader_id == 1 && leader_reachable ? std::optional{leader->gateway} : std::nullopt;
    });
    leader->gate->set_serving();
    follower->gate->set_forwarding();
    caf::anon_send(follower->forwarder, forward_to{1, "127.0.0.1", 7002});
    run();
  }

  ~forward_fixture() override {
    for (auto* n : {leader.get(), follower.get()}) {
      caf::anon_send_exit(n->forwarder, caf::exit_reason::user_shutdown);
      caf::anon_send_exit(n->gateway, caf::exit_reason::user_shutdown);
    }
    run();
  }

  /// Dispatches on `n` and runs the system; the response, if one came.
  std::shared_ptr<std::optional<response>> send(node& n, std::string method, std::string path,
                                                std::string body = {}) {
    auto out = std::make_shared<std::optional<response>>();
    request req;
    req.method = std::move(method);
    req.path = std::move(path);
    req.body = std::move(body);
    req.authorization = "Bearer secret";
    req.peer = "10.0.0.9";
    n.routes.dispatch(std::move(req), [out](response r) { *out = std::move(r); });
    return out;
  }
};

} // namespace

TEST_CASE_METHOD(forward_fixture, "a follower forwards leader routes and answers with the leader's "
                                  "response, headers included") {
  auto r = send(*follower, "POST", "/echo", "hello");
  run();
  REQUIRE(r->has_value());
  CHECK((*r)->status == 201);
  CHECK((*r)->body == "echo:hello");
  CHECK(header_of(**r, "x-served-by") == "leader");
  // The request arrived whole: body, credentials and the client's address.
  REQUIRE(leader->seen.size() == 1);
  CHECK(leader->seen[0] == "hello|Bearer secret|10.0.0.9");
  CHECK(follower->seen.empty());
  CHECK(follower->pending->size() == 0);
}

TEST_CASE_METHOD(forward_fixture, "node routes run where they arrive, never forwarded") {
  auto r = send(*follower, "GET", "/local");
  REQUIRE(r->has_value());
  CHECK((*r)->body.find("here") != std::string::npos);
  CHECK(follower->pending->size() == 0);
}

TEST_CASE_METHOD(forward_fixture, "requests arriving together go as one batch, answered in order") {
  std::vector<std::shared_ptr<std::optional<response>>> rs;
  for (int i = 0; i < 5; ++i)
    rs.push_back(send(*follower, "POST", "/echo", std::to_string(i)));
  CHECK(follower->pending->size() == 5);
  run();
  for (int i = 0; i < 5; ++i) {
    REQUIRE(rs[i]->has_value());
    CHECK((*rs[i])->body == "echo:" + std::to_string(i));
  }
  REQUIRE(leader->seen.size() == 5);
  CHECK(leader->seen[4].rfind("4|", 0) == 0);
}

TEST_CASE_METHOD(forward_fixture, "with no leader known, requests get 503 saying why, to retry") {
  follower->gate->set_unavailable("no leader is known to node 2; retry");
  auto r = send(*follower, "POST", "/echo", "x");
  REQUIRE(r->has_value());
  CHECK((*r)->status == 503);
  CHECK((*r)->body.find("no leader is known to node 2") != std::string::npos);
  CHECK(header_of(**r, "x-should-retry") == "true");
  CHECK(leader->seen.empty());
}

TEST_CASE_METHOD(forward_fixture, "a gateway on a node that no longer leads answers 503") {
  leader->gate->set_unavailable("node 1 no longer leads the cluster; retry");
  auto r = send(*follower, "POST", "/echo", "x");
  run();
  REQUIRE(r->has_value());
  CHECK((*r)->status == 503);
  CHECK((*r)->body.find("node 1 no longer leads") != std::string::npos);
  CHECK(leader->seen.empty());
}

TEST_CASE_METHOD(forward_fixture, "a leader's gateway going down fails waiting requests with 503 "
                                  "and an unknown outcome") {
  auto r = send(*follower, "POST", "/hold");
  run();
  REQUIRE(leader->held.size() == 1);
  CHECK_FALSE(r->has_value());
  leader_reachable = false;
  caf::anon_send_exit(leader->gateway, caf::exit_reason::kill);
  run();
  REQUIRE(r->has_value());
  CHECK((*r)->status == 503);
  CHECK((*r)->body.find("may or may not have been applied") != std::string::npos);
  // Until it reconnects, new requests get 503 at once.
  auto next = send(*follower, "POST", "/echo", "y");
  run();
  REQUIRE(next->has_value());
  CHECK((*next)->status == 503);
  CHECK((*next)->body.find("connecting to the leader") != std::string::npos);
  // A late answer from the old leader finds no one waiting.
  leader->held[0](ok({}));
  run();
  CHECK(follower->pending->size() == 0);
}

TEST_CASE_METHOD(forward_fixture, "a new leader fails the requests forwarded to the old one") {
  auto r = send(*follower, "POST", "/hold");
  run();
  REQUIRE(leader->held.size() == 1);
  caf::anon_send(follower->forwarder, forward_to{3, "127.0.0.1", 7006});
  run();
  REQUIRE(r->has_value());
  CHECK((*r)->status == 503);
  CHECK((*r)->body.find("leader changed") != std::string::npos);
}

TEST_CASE("a gate that serves lets requests run here") {
  auto pending = std::make_shared<pending_forwards>();
  cluster_gate gate{forwarder_actor{}, pending};
  request req;
  responder reply = [](response) {};
  CHECK(gate.take(req, reply));
  gate.set_serving();
  CHECK(gate.serving());
  CHECK_FALSE(gate.take(req, reply));
}

TEST_CASE("pending forwards are taken once and forgotten when old") {
  pending_forwards p;
  int called = 0;
  auto a = p.add([&](response) { ++called; });
  auto b = p.add([&](response) { ++called; });
  CHECK(a != b);
  auto ra = p.take(a);
  REQUIRE(ra);
  (*ra)(response{});
  CHECK_FALSE(p.take(a));
  CHECK(p.forget_older_than(pending_forwards::clock::now() + std::chrono::seconds(1)) == 1);
  CHECK_FALSE(p.take(b));
  CHECK(called == 1);
  CHECK(p.take_all().empty());
}
