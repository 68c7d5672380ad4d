// The placement seam: a node spawns storage shards from a serialisable spec
// and adds its own services; a coordinator's shard map names the node.
#include <memory>
#include <vector>

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <catch2/catch.hpp>

#include "actor_fixture.hpp"
#include "actors/node/node.hpp"
#include "actors/queue/coordinator.hpp"
#include "queue_fixture.hpp"
#include "storage/memory/memory_backend.hpp"

using namespace sluice;

namespace {

using reports = std::shared_ptr<std::vector<shard_stats>>;

/// Stands in for a coordinator: records what the shard reports.
caf::behavior recorder(caf::event_based_actor*, reports seen) {
  return {[seen](const shard_stats& s) { seen->push_back(s); }};
}

struct node_fixture : test::actor_fixture {
  storage::memory_backend memory;
  int64_t clock = 1'000'000;
  reports seen = std::make_shared<std::vector<shard_stats>>();
  caf::actor coordinator = sys().spawn(recorder, seen);
  node_actor local = sys().spawn(node, node_services{"node-a", storage_env{&memory, 100, nullptr},
                                                     std::make_shared<const lease_codec>("secret"),
                                                     [this] { return clock; }});

  ~node_fixture() override {
    caf::anon_send_exit(coordinator, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(local, caf::exit_reason::user_shutdown);
    run();
  }

  /// `spec` after a round trip through CAF's binary serialisation, as it
  /// would arrive at a node in another process.
  shard_spec through_the_wire(shard_spec spec) {
    std::vector<char> buf;
    caf::binary_serializer sink{sys(), buf};
    REQUIRE(!sink(spec));
    shard_spec copy;
    caf::binary_deserializer source{sys(), buf};
    REQUIRE(!source(copy));
    return copy;
  }
};

} // namespace

TEST_CASE_METHOD(node_fixture, "a node runs a storage shard from a spec sent over the wire",
                 "[node]") {
  auto spec = through_the_wire({"acct", "jobs", "q1", 1, delivery_settings{}, coordinator});
  CHECK(spec.queue_id == "q1");
  CHECK(spec.shard == 1);
  CHECK(spec.coordinator == coordinator);

  auto placed = ask<shard_placed>(local, spec);
  REQUIRE(placed);
  CHECK(placed->node == "node-a");
  auto shard = caf::actor_cast<storage_shard_actor>(placed->shard);
  REQUIRE(shard);
  // It recovered (an empty shard) and told its coordinator.
  REQUIRE(!seen->empty());
  CHECK(seen->back().shard == 1);

  shard_append append;
  append.items.push_back({"hello", 0, clock, clock});
  auto sent = ask<sent_messages>(shard, append);
  REQUIRE(sent);
  CHECK(sent->stats.backlog_count == 1);
  CHECK(sent->ids.size() == 1);
  // The message is in the store the node owns, under the spec's queue and shard.
  std::vector<std::string> bodies;
  memory.messages("q1", 1)->recover({100}, [&](storage::expected<storage::shard_recovery> r) {
    REQUIRE(r);
    for (auto& m : r->loaded)
      bodies.push_back(m.message.body);
  });
  CHECK(bodies == std::vector<std::string>{"hello"});
}

TEST_CASE_METHOD(node_fixture, "a shard ends with the coordinator of its spec", "[node]") {
  auto placed = ask<shard_placed>(local, shard_spec{"acct", "jobs", "q1", 0, {}, coordinator});
  REQUIRE(placed);
  auto shard = caf::actor_cast<storage_shard_actor>(placed->shard);
  caf::anon_send_exit(coordinator, caf::exit_reason::user_shutdown);
  run();
  auto stats = ask<sent_messages>(shard, shard_append{});
  CHECK(!stats); // the shard is gone
}

TEST_CASE("a coordinator's shard map names the node of every shard", "[node]") {
  test::hub_fixture f;
  f.stop();
  f.node_id = "node-a";
  f.start();
  auto q = f.create("jobs");
  REQUIRE(q);
  auto c = f.queues->find("acct", q->id);
  REQUIRE(c);
  auto map = f.ask<shard_map>(*c, get_shard_map{});
  REQUIRE(map);
  CHECK(map->nodes == std::vector<std::string>{"node-a", "node-a"});
}

TEST_CASE_METHOD(node_fixture, "a coordinator whose node is gone quits instead of asking forever",
                 "[node]") {
  caf::anon_send_exit(local, caf::exit_reason::user_shutdown);
  run();
  storage::queue_record q;
  q.account = "acct";
  q.name = "jobs";
  q.id = "q1";
  auto c = sys().spawn(sluice::coordinator,
                       coordinator_config{q,
                                          local,
                                          std::make_shared<const lease_codec>("secret"),
                                          [this] { return clock; },
                                          {},
                                          nullptr,
                                          nullptr});
  run();
  // Every placement was refused at once (the receiver is down); the
  // coordinator is gone rather than spinning, so a shutdown can finish.
  auto map = ask<shard_map>(c, get_shard_map{});
  CHECK(!map);
}
