#include <catch2/catch.hpp>

#include "storage/codec.hpp"
#include "storage/replicated/command_codec.hpp"
#include "storage/replicated/store_machine.hpp"
#include "temp_dir.hpp"

// The replicated store's state machine over a real RocksDB backend (inline
// I/O: every apply is a real synced write on this thread), without raft: the
// engine's side is covered by tests/unit/storage/raft/ and the cluster by
// tests/integration/raft/replicated_store_test.cpp.

namespace sluice::storage {

namespace {

const std::string queue_id = "0123456789abcdef0123456789abcdef";

std::unique_ptr<rocksdb_backend> open_store(const std::string& dir) {
  store_error err;
  auto b = rocksdb_backend::open(dir, rocksdb_backend::mode::inline_io, err);
  if (!b)
    FAIL("cannot open the store: " << err.message);
  return b;
}

std::string command(store_command::body_type body, std::string queue = queue_id) {
  return encode_command({std::move(queue), 0, std::move(body)});
}

meta_change create_queue() {
  queue_record q;
  q.account = "acct";
  q.id = queue_id;
  q.name = "orders";
  meta_change c;
  c.put_queues = {q};
  return c;
}

append_messages two_messages() {
  append_messages a;
  for (uint64_t seq : {1, 2}) {
    stored_message m;
    m.body = "body " + std::to_string(seq);
    a.messages.push_back({seq, m, 0});
  }
  return a;
}

shard_recovery recover(rocksdb_backend& b) {
  shard_recovery out;
  bool done = false;
  b.messages(queue_id, 0)->recover({100}, [&](expected<shard_recovery> r) {
    REQUIRE(r);
    out = std::move(*r);
    done = true;
  });
  REQUIRE(done);
  return out;
}

/// Applies `commands` as the entry at `index`.
void apply(store_machine& m, uint64_t index, const std::vector<std::string>& commands) {
  std::vector<std::string_view> views(commands.begin(), commands.end());
  m.apply(index, views);
}

} // namespace

TEST_CASE("an entry's commands land in one write with the entry's index as applied index") {
  test::temp_dir dir;
  auto store = open_store(dir.path());
  store_machine machine{*store, 0};
  apply(machine, 5, {command(create_queue(), {}), command(two_messages())});
  CHECK(machine.applied_index() == 5);
  CHECK(*store->applied_index() == 5);
  auto meta = store->meta().load();
  REQUIRE(meta);
  REQUIRE(meta->queues.size() == 1);
  CHECK(meta->queues[0].name == "orders");
  auto shard = recover(*store);
  REQUIRE(shard.loaded.size() == 2);
  CHECK(shard.loaded[1].message.body == "body 2");

  SECTION("an entry at or below the applied index is not applied again") {
    apply(machine, 5, {command(delete_messages{{1, 2}})});
    CHECK(recover(*store).loaded.size() == 2);
    CHECK(machine.entries_applied() == 1);
  }

  SECTION("leases and settlements apply in entry order") {
    apply(machine, 9,
          {command(lease_messages{{{1, {1, 1000, false, ""}}, {2, {1, 1000, false, ""}}}}),
           command(settle_messages{{1}, {{2, {1, 5000, false, "boom"}}}, {}})});
    auto after = recover(*store);
    REQUIRE(after.loaded.size() == 1);
    CHECK(after.loaded[0].seq == 2);
    CHECK(after.loaded[0].state.visible_at_ms == 5000);
    CHECK(after.loaded[0].state.last_error == "boom");
    CHECK(*store->applied_index() == 9);
  }

  SECTION("the applied index survives a restart, and the snapshot carries it") {
    store.reset();
    auto reopened = open_store(dir.path());
    REQUIRE(*reopened->applied_index() == 5);
    store_machine again{*reopened, *reopened->applied_index()};
    CHECK(again.applied_index() == 5);
    auto bytes = again.snapshot();
    decoder snap{bytes};
    CHECK(snap.u8() == 1);
    CHECK(snap.u64() == 5);
    again.restore(4, "older"); // not newer than the local state: nothing to do
    CHECK(recover(*reopened).loaded.size() == 2);
  }
}

TEST_CASE("the first lease secret proposal applied wins, on every replica alike") {
  test::temp_dir dir;
  auto store = open_store(dir.path());
  store_machine machine{*store, 0};
  CHECK_FALSE(*store->stored_lease_secret());
  apply(machine, 3,
        {command(propose_lease_secret{"first"}, {}), command(propose_lease_secret{"second"}, {})});
  apply(machine, 4, {command(propose_lease_secret{"third"}, {})});
  auto secret = store->stored_lease_secret();
  REQUIRE(secret);
  REQUIRE(*secret);
  CHECK(**secret == "first");
  CHECK(*store->applied_index() == 4);
}

} // namespace sluice::storage

namespace sluice::storage {

TEST_CASE("a replicated dedup sweep deletes exactly the keys the leader found expired") {
  test::temp_dir dir;
  auto store = open_store(dir.path());
  store_machine machine{*store, 0};
  auto append = two_messages();
  // "again" expired and was sent again: its newer entry must survive.
  append.dedup = {{"gone", "m1", 100}, {"again", "m1", 200}, {"again", "m2", 5000}};
  apply(machine, 1, {command(create_queue(), {}), command(append)});

  expired_dedup found;
  bool read = false;
  store->find_expired_dedup(queue_id, 0, {1000, 10}, [&](expected<expired_dedup> r) {
    REQUIRE(r);
    found = std::move(*r);
    read = true;
  });
  REQUIRE(read);
  REQUIRE(found.keys.size() == 2);
  CHECK(found.keys[0].dedup_id == "gone");
  CHECK(found.keys[0].expires_ms == 100);
  CHECK(found.keys[1].dedup_id == "again");
  CHECK(found.keys[1].expires_ms == 200);
  CHECK(found.next_expiry_ms == 5000);

  // A key already deleted (a sweep replicated twice) is skipped.
  auto keys = found.keys;
  keys.push_back({"never-stored", 50});
  apply(machine, 2, {command(erase_dedup{keys}), command(erase_dedup{keys})});
  CHECK(*store->applied_index() == 2);

  std::vector<dedup_hit> hits;
  store->messages(queue_id, 0)
      ->lookup_dedup({{"gone", "again"}, 0}, [&](expected<std::vector<dedup_hit>> r) {
        REQUIRE(r);
        hits = std::move(*r);
      });
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].dedup_id == "again");
  CHECK(hits[0].message_id == "m2");
  store->find_expired_dedup(queue_id, 0, {1000, 10}, [&](expected<expired_dedup> r) {
    REQUIRE(r);
    CHECK(r->keys.empty());
    CHECK(r->next_expiry_ms == 5000);
  });
}

} // namespace sluice::storage
