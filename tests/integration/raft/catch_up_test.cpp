#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "replicated_cluster.hpp"

// Checkpoint catch-up in a real cluster (docs/cluster.md, "Catching up from
// a checkpoint"): three replicated backends over loopback raft with small
// snapshot limits, so the leader compacts its log past a stopped follower
// or a new node, which then fetch the leader's RocksDB checkpoint (through
// an in-process source standing in for the transport).

using namespace sluice::test;
namespace st = sluice::storage;

namespace {

const std::string queue_id = "cccccccccccccccccccccccccccccccc";

/// Snapshot every 16 entries, keeping 4: a node down for 40 entries misses
/// entries no log holds any more.
void small_snapshots(st::replicated_config& c) {
  c.raft.snapshot_threshold = 16;
  c.raft.snapshot_trailing = 4;
  c.raft.install_snapshot_timeout_ms = 1000;
}

/// True once node `i`'s store and its raft node both applied `index` (after
/// a catch-up raft counts from the snapshot it restored, which may be older
/// than the checkpoint the store holds).
bool caught_up(replicated_cluster& c, size_t i, uint64_t index) {
  return eventually(
      [&] {
        return c.backend(i).applied_index() >= index && c.backend(i).status().last_applied >= index;
      },
      30000ms);
}

st::meta_change create_queue() {
  st::meta_change c;
  st::queue_record q;
  q.account = "acct";
  q.id = queue_id;
  q.name = "catch-up";
  c.put_queues = {q};
  return c;
}

/// Appends messages `from..to` through the leader, one entry each.
void append_each(replicated_cluster& c, int leader, uint64_t from, uint64_t to) {
  auto store = c.backend(leader).messages(queue_id, 0);
  for (uint64_t seq = from; seq <= to; ++seq) {
    st::append_messages a;
    st::stored_message m;
    m.timestamp_ms = static_cast<int64_t>(seq);
    m.body = "message " + std::to_string(seq) + std::string(512, 'x');
    a.messages.push_back({seq, m, 0});
    auto r = write_and_wait([&](st::write_callback done) { store->append(a, done); });
    REQUIRE(r);
  }
}

/// Every running replica holds what the leader holds.
void check_same_as(replicated_cluster& c, int leader) {
  for (size_t i = 0; i < c.slots.size(); ++i) {
    if (!c.slots[i].backend || static_cast<int>(i) == leader)
      continue;
    INFO("replica " << i << " against the leader " << leader);
    CHECK(meta_text(c.backend(i)) == meta_text(c.backend(leader)));
    CHECK(shard_text(c.backend(i), queue_id, 0) == shard_text(c.backend(leader), queue_id, 0));
  }
}

} // namespace

TEST_CASE("replicated store: a follower restarted behind the compacted log catches up from the "
          "leader's checkpoint") {
  replicated_cluster c{3, small_snapshots};
  int leader = c.leader();
  REQUIRE(leader >= 0);
  REQUIRE(write_and_wait(
      [&](st::write_callback done) { c.backend(leader).meta().apply(create_queue(), done); }));
  append_each(c, leader, 1, 5);
  REQUIRE(c.applied_everywhere(c.backend(leader).applied_index()));

  size_t follower = static_cast<size_t>((leader + 1) % 3);
  uint64_t before = c.backend(follower).applied_index();
  c.stop(follower);
  append_each(c, leader, 6, 60); // several snapshots: the log starts past `before`
  uint64_t index = c.backend(leader).applied_index();
  REQUIRE(index > before + 40);

  c.start(follower);
  REQUIRE(caught_up(c, follower, index));
  // Once or twice: the leader may first deliver a snapshot it queued while
  // the follower was down (an older marker: its log no longer follows it),
  // then its newest one (docs/cluster.md).
  auto catch_ups = c.backend(follower).catch_ups();
  CHECK(catch_ups >= 1);
  CHECK(catch_ups <= 2);
  check_same_as(c, leader);

  // It goes on applying entries from the log.
  append_each(c, leader, 61, 65);
  REQUIRE(caught_up(c, follower, c.backend(leader).applied_index()));
  check_same_as(c, leader);
  CHECK(c.backend(follower).catch_ups() == catch_ups);

  // And it restarts from the swapped-in store without catching up again.
  c.stop(follower);
  c.start(follower);
  REQUIRE(caught_up(c, follower, c.backend(leader).applied_index()));
  CHECK(c.backend(follower).catch_ups() == 0);
  check_same_as(c, leader);
}

TEST_CASE("replicated store: a new node added to the group catches up from the leader's "
          "checkpoint") {
  replicated_cluster c{3, small_snapshots};
  int leader = c.leader();
  REQUIRE(leader >= 0);
  REQUIRE(write_and_wait(
      [&](st::write_callback done) { c.backend(leader).meta().apply(create_queue(), done); }));
  append_each(c, leader, 1, 40);

  size_t joiner = c.add_slot();
  c.start(joiner);
  auto id = c.slots[joiner].config.raft.id;
  auto added = change_and_wait([&](st::raft::change_callback done) {
    c.backend(leader).raft().add_member(id, c.slots[joiner].config.raft.address, std::move(done));
  });
  REQUIRE(added.code == st::raft::raft_errc::ok);
  auto promoted = change_and_wait([&](st::raft::change_callback done) {
    c.backend(leader).raft().assign_member(id, st::raft::member_role::voter, std::move(done));
  });
  REQUIRE(promoted.code == st::raft::raft_errc::ok);

  append_each(c, leader, 41, 45);
  REQUIRE(caught_up(c, joiner, c.backend(leader).applied_index()));
  CHECK(c.backend(joiner).catch_ups() == 1);
  CHECK(c.backend(leader).status().members.size() == 4);
  check_same_as(c, leader);
}
