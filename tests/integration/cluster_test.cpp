// Cluster mode (docs/cluster.md) with three real processes on loopback: any
// node serves, a leader's kill -9 loses no acknowledged message, a node without
// a majority refuses writes with 503.
#include <set>
#include <string>

#include <simdjson.h>

#include "api.hpp"
#include "cli_runner.hpp"
#include "cluster_process.hpp"
#include "tests/http_receiver.hpp"
#include "wait.hpp"

using namespace sluice::test;

namespace {

/// Sends `n` messages "PREFIX-i" through node `via`, one request each.
std::set<std::string> send_each(api& a, const std::string& q, const std::string& prefix, int n) {
  std::set<std::string> sent;
  for (int i = 0; i < n; ++i) {
    auto body = prefix + "-" + std::to_string(i);
    auto r = a.call("POST", q + "/messages", R"({"body":")" + body + R"(","content_type":"text"})");
    REQUIRE(r->status == 200);
    sent.insert(body);
  }
  return sent;
}

/// Pulls (through `a`) and acks until nothing is left; the bodies seen.
std::multiset<std::string> drain(api& a, const std::string& q) {
  std::multiset<std::string> seen;
  for (;;) {
    auto r = a.call("POST", q + "/messages/pull", R"({"batch_size":100})");
    REQUIRE(r->status == 200);
    auto msgs = r->result()["messages"].get_array();
    if (msgs.size() == 0)
      return seen;
    std::string acks = R"({"acks":[)";
    bool first = true;
    for (auto m : msgs) {
      seen.emplace(m["body"].get_string().value());
      acks += std::string{first ? "" : ","} + R"({"lease_id":")"
              + std::string{m["lease_id"].get_string().value()} + "\"}";
      first = false;
    }
    REQUIRE(a.call("POST", q + "/messages/ack", acks + "]}")->status == 200);
  }
}

} // namespace

TEST_CASE("cluster: every node serves the API, forwarding to the leader") {
  cluster_processes c;
  auto leader = c.serving_leader();
  auto f1 = (leader + 1) % 3;
  auto f2 = (leader + 2) % 3;
  api via_f1{c.node(f1)};
  api via_f2{c.node(f2)};
  api via_leader{c.node(leader)};
  // Created through one follower, visible through the other at once.
  auto q = "/queues/" + via_f1.create_queue("everywhere");
  CHECK(via_f2.call("GET", q)->str("queue_name") == "everywhere");
  auto sent = send_each(via_f1, q, "f1", 5);
  for (auto& b : send_each(via_f2, q, "f2", 5))
    sent.insert(b);
  for (auto& b : send_each(via_leader, q, "l", 5))
    sent.insert(b);
  auto seen = drain(via_f2, q);
  CHECK(std::set<std::string>(seen.begin(), seen.end()) == sent);
  CHECK(seen.size() == sent.size());
  // Errors travel back whole: status, envelope and headers.
  auto missing = via_f1.call("GET", "/queues/0123456789abcdef0123456789abcdef");
  CHECK(missing->status == 404);
  CHECK(missing->error_code() == 11000);
  // Every node shows the same members and leader.
  for (size_t i = 0; i < 3; ++i) {
    auto s = c.status(i);
    REQUIRE(s->status == 200);
    CHECK(s->result()["members"].get_array().size() == 3);
    CHECK(s->result()["leader"]["id"].get_uint64().value() == leader + 1);
    CHECK(s->result()["role"].get_string().value()
          == std::string{i == leader ? "leader" : "follower"});
  }
}

TEST_CASE("cluster: kill -9 of the leader loses no acknowledged message, acked ones stay gone") {
  cluster_processes c;
  auto leader = c.serving_leader();
  auto survivor = (leader + 1) % 3;
  std::string q;
  std::set<std::string> sent;
  {
    api a{c.node(survivor)};
    q = "/queues/" + a.create_queue("durable");
    // Acked before the crash: must never come back.
    send_each(a, q, "acked", 3);
    auto acked = drain(a, q);
    REQUIRE(acked.size() == 3);
    sent = send_each(a, q, "kept", 20);
  }
  c.kill9(leader);
  auto next = c.serving_leader();
  CHECK(next != leader);
  api a{c.node(survivor)};
  for (auto& b : send_each(a, q, "after", 5))
    sent.insert(b);
  auto seen = drain(a, q);
  CHECK(std::set<std::string>(seen.begin(), seen.end()) == sent);
  for (const auto& s : seen)
    CHECK(s.rfind("acked", 0) != 0);
  // The old leader comes back as a follower and catches up.
  c.restart(leader);
  c.await_converged();
  api back{c.node(leader)};
  CHECK(back.call("GET", q)->str("queue_name") == "durable");
  CHECK(back.call("POST", q + "/messages/pull", "{}")->result()["messages"].get_array().size()
        == 0);
}

TEST_CASE("cluster: a node without a majority answers writes 503 with x-should-retry") {
  cluster_processes c;
  auto leader = c.serving_leader();
  std::string q = "/queues/" + api(c.node(leader)).create_queue("minority");
  auto alone = (leader + 1) % 3;
  c.kill9(leader);
  c.kill9((leader + 2) % 3);
  api a{c.node(alone)};
  std::unique_ptr<reply> r;
  // Until it notices, the write may wait for the dead leader; then 503.
  REQUIRE(eventually([&] {
    r = a.call("POST", q + "/messages", R"({"body":"lost?"})");
    return r->status == 503;
  }));
  CHECK_FALSE(r->success());
  CHECK(r->error_code() == 10250);
  CHECK(a.raw()
            .send("POST", "/client/v4/accounts/acct-a" + q + "/messages", R"({"body":"x"})",
                  {{"authorization", "Bearer integration-token"}})
            .status
        == 503);
  auto raw = a.raw().send("POST", "/client/v4/accounts/acct-a" + q + "/messages", R"({"body":"x"})",
                          {{"authorization", "Bearer integration-token"}});
  CHECK(header(raw, "x-should-retry") == "true");
  // Its own status still answers, naming no leader.
  auto s = c.status(alone);
  REQUIRE(s->status == 200);
  CHECK(s->result()["serving"].get_bool().value() == false);
}

TEST_CASE("cluster: bad cluster flags stop the start with a message naming the flag") {
  auto r = run_serve_expecting_exit({"serve", "--listen", "127.0.0.1:0", "--data-dir",
                                     "/tmp/unused", "--raft-listen", "127.0.0.1:7001"});
  CHECK(r.status == 2);
  CHECK(r.output.find("--node-id") != std::string::npos);
  r = run_serve_expecting_exit({"serve", "--listen", "127.0.0.1:0", "--data-dir", "/tmp/unused",
                                "--node-id", "1", "--raft-listen", "127.0.0.1:7001",
                                "--initial-members", "1=127.0.0.1:7001,two"});
  CHECK(r.status == 2);
  CHECK(r.output.find("'two' is not ID=HOST:PORT") != std::string::npos);
  r = run_serve_expecting_exit({"serve", "--listen", "127.0.0.1:0", "--data-dir", "/tmp/unused",
                                "--node-id", "3", "--raft-listen", "127.0.0.1:7001",
                                "--initial-members", "1=127.0.0.1:7001"});
  CHECK(r.status == 2);
  CHECK(r.output.find("does not list this node") != std::string::npos);
}

TEST_CASE("cluster: a single node says it runs no cluster") {
  server_process srv;
  auto r = api(srv).call("GET", "//client/v4/cluster");
  CHECK(r->status == 404);
  CHECK(r->error_message().find("single node") != std::string::npos);
}

TEST_CASE("cluster: sluice cluster status, add and remove, and the cluster metrics") {
  cluster_processes c;
  auto leader = c.serving_leader();
  auto follower = (leader + 1) % 3;
  cli as_admin{c.node(follower)};
  auto out = as_admin.ok({"cluster", "status"});
  CHECK(has(out, "node " + std::to_string(follower + 1) + ": follower"));
  CHECK(has(out, "leader: node " + std::to_string(leader + 1) + " at " + c.raft_address(leader)));
  CHECK(has(out, c.raft_address((leader + 2) % 3)));
  // A fourth node, started with no --initial-members, waits to be added.
  auto raft4 = "127.0.0.1:" + std::to_string(free_port_pair());
  server_process fourth{"integration-token", {"--node-id", "4", "--raft-listen", raft4}};
  auto waiting = api(fourth).call("POST", "/queues", R"({"queue_name":"early"})");
  CHECK(waiting->status == 503);
  as_admin.ok({"cluster", "add", "4", raft4});
  REQUIRE(eventually([&] {
    auto r = api(fourth).call("GET", "/queues");
    return r->status == 200;
  }));
  auto json = as_admin.ok({"cluster", "status", "--json"});
  CHECK(has(json, raft4));
  CHECK(has(json, R"("role":"voter")"));
  // A bad member is refused with a message naming the field.
  auto bad = as_admin({"cluster", "add", "5", "no-port"});
  CHECK(bad.exit_code != 0);
  CHECK(has(bad.err, "address is required"));
  as_admin.ok({"cluster", "remove", "4"});
  REQUIRE(eventually([&] { return !has(as_admin.ok({"cluster", "status"}), raft4); }));
  // The node's raft view is in its metrics.
  auto metrics = c.node(leader).client()->send("GET", "/metrics").body;
  CHECK(has(metrics, "sluice_cluster_role{role=\"leader\"} 1"));
  CHECK(has(metrics, "sluice_cluster_term "));
  CHECK(has(metrics, "sluice_cluster_replication_lag_entries "));
}

TEST_CASE("cluster: a node that missed more than the log keeps catches up from a peer's "
          "checkpoint") {
  // Snapshots every 16 entries keep 8: a node away for 150 writes is behind
  // the leader's log and must fetch its store.
  cluster_processes c{3, {"--raft-snapshot-every", "16"}};
  auto leader = c.serving_leader();
  auto behind = (leader + 1) % 3;
  api a{c.node(leader)};
  auto q = "/queues/" + a.create_queue("catch-up");
  auto sent = send_each(a, q, "before", 5);
  c.kill9(behind);
  for (auto& b : send_each(a, q, "missed", 150))
    sent.insert(b);
  c.restart(behind);
  c.await_converged(90);
  CHECK(has(c.node(behind).log(), "caught up from a checkpoint"));
  // It applies what follows from the log.
  for (auto& b : send_each(a, q, "after", 5))
    sent.insert(b);
  c.await_converged();
  // Every replica holds the same state: the same applied index and digest.
  for (size_t i = 0; i < c.size(); ++i) {
    auto status = c.terminate(i);
    INFO("node " << i + 1 << " log:\n" << c.node(i).log());
    CHECK(status == 0);
  }
  std::set<std::string> digests;
  for (size_t i = 0; i < c.size(); ++i) {
    auto d = run_cli("", {"cluster", "digest", c.node(i).data_dir() + "/data"});
    INFO(d.out << d.err);
    REQUIRE(d.exit_code == 0);
    CHECK(has(d.out, "digest "));
    digests.insert(d.out);
  }
  CHECK(digests.size() == 1);
  // And the messages are all there, on the caught-up node too.
  c.restart(behind);
  c.restart((behind + 1) % 3);
  c.serving_leader();
  api b{c.node(behind)};
  auto seen = drain(b, q);
  CHECK(std::set<std::string>(seen.begin(), seen.end()) == sent);
  CHECK(seen.size() == sent.size());
}

TEST_CASE("cluster: a push consumer moves with leadership") {
  cluster_processes c;
  auto leader = c.serving_leader();
  auto survivor = (leader + 1) % 3;
  http_receiver hook;
  api a{c.node(survivor)};
  REQUIRE(a.call("PUT", "/sluice/scripts/hook",
                 R"({"plugin":"webhook","env":{"URL":")" + hook.url() + "\"}}")
              ->status
          == 200);
  auto qid = a.create_queue("pushed");
  REQUIRE(a.call("POST", "/queues/" + qid + "/consumers",
                 R"({"type":"worker","script_name":"hook","settings":{"batch_size":10,)"
                 R"("max_wait_time_ms":50}})")
              ->status
          == 200);
  auto q = "/queues/" + qid;
  auto sent = send_each(a, q, "before", 20);
  auto delivered = [&] {
    std::set<std::string> bodies;
    for (const auto& r : hook.requests()) {
      simdjson::dom::parser p;
      auto doc = p.parse(r.body);
      if (doc.error())
        continue;
      for (auto m : doc.value()["messages"].get_array())
        bodies.insert(std::string{m["body"].get_string().value()});
    }
    return bodies;
  };
  REQUIRE(eventually([&] { return delivered() == sent; }));
  // The leader's hub ran the consumer; the new leader's hub takes it over
  // from the replicated store.
  c.kill9(leader);
  c.serving_leader();
  for (auto& b : send_each(a, q, "after", 20))
    sent.insert(b);
  REQUIRE(eventually([&] { return delivered() == sent; }));
  REQUIRE(eventually([&] {
    return a.call("GET", q + "/metrics")->result()["backlog_count"].get_int64().value() == 0;
  }));
}
