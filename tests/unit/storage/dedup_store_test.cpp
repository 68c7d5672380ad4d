#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "storage/fault/faulty_backend.hpp"
#include "storage/memory/memory_backend.hpp"
#include "storage/rocksdb/rocksdb_backend.hpp"
#include "tests/temp_dir.hpp"
#include "tests/unit/storage/store_envs.hpp"
#include "tests/unit/storage/store_helpers.hpp"

// The dedup part of the contract of storage/message_store.hpp (append with
// dedup entries, lookup_dedup, sweep_dedup), run against every backend.

using namespace sluice::storage;
using namespace sluice::test;

namespace {

expected<applied> append_with(message_store& s, std::vector<new_message> msgs,
                              std::vector<dedup_entry> dedup) {
  return write_now([&](write_callback cb) {
    s.append(append_messages{std::move(msgs), std::move(dedup)}, std::move(cb));
  });
}

/// dedup id → message id of the unexpired entries among `ids` at `now`.
std::map<std::string, std::string> lookup(message_store& s, std::vector<std::string> ids,
                                          int64_t now) {
  auto r = read_now<std::vector<dedup_hit>>([&](read_callback<std::vector<dedup_hit>> cb) {
    s.lookup_dedup({ids, now}, std::move(cb));
  });
  REQUIRE(r);
  std::map<std::string, std::string> out;
  for (auto& h : *r)
    out.emplace(h.dedup_id, h.message_id);
  return out;
}

dedup_expiry sweep(message_store& s, int64_t now, size_t limit = 100) {
  auto r = read_now<dedup_expiry>([&](read_callback<dedup_expiry> cb) {
    s.sweep_dedup({now, limit}, std::move(cb));
  });
  REQUIRE(r);
  return *r;
}

using hits = std::map<std::string, std::string>;

} // namespace

TEMPLATE_TEST_CASE("dedup entries are found until they expire, and survive a restart", "[store]",
                   memory_env, rocksdb_env) {
  TestType env;
  auto store = env.get().messages(queue_a, 0);
  REQUIRE(append_with(*store, {msg(1, "a"), msg(2, "b")},
                      {{"k1", "id-1", 5000}, {"k2", "id-2", 6000}}));
  CHECK(lookup(*store, {"k1", "k2", "k3"}, 1000) == hits{{"k1", "id-1"}, {"k2", "id-2"}});
  // Expired at its expiry, not after.
  CHECK(lookup(*store, {"k1", "k2"}, 5000) == hits{{"k2", "id-2"}});
  CHECK(lookup(*store, {"k1", "k2"}, 6000).empty());
  // The messages were stored in the same write.
  CHECK(stored_seqs(*store) == std::vector<uint64_t>{1, 2});

  env.restart();
  auto again = env.get().messages(queue_a, 0);
  CHECK(lookup(*again, {"k1", "k2"}, 1000) == hits{{"k1", "id-1"}, {"k2", "id-2"}});
}

TEMPLATE_TEST_CASE("dedup ids are per shard and queue, and a prefix is another id", "[store]",
                   memory_env, rocksdb_env) {
  TestType env;
  auto a0 = env.get().messages(queue_a, 0);
  auto a1 = env.get().messages(queue_a, 1);
  auto b0 = env.get().messages(queue_b, 0);
  REQUIRE(append_with(*a0, {msg(1, "a")}, {{"order-1", "id-a0", 9000}}));
  CHECK(lookup(*a1, {"order-1"}, 0).empty());
  CHECK(lookup(*b0, {"order-1"}, 0).empty());
  CHECK(lookup(*a0, {"order-", "order-10", "order-1"}, 0) == hits{{"order-1", "id-a0"}});
}

TEMPLATE_TEST_CASE("a sweep deletes only expired entries, oldest first, within its limit",
                   "[store]", memory_env, rocksdb_env) {
  TestType env;
  auto store = env.get().messages(queue_a, 0);
  REQUIRE(append_with(*store, {msg(1, "a"), msg(2, "b"), msg(3, "c")},
                      {{"k1", "id-1", 1000}, {"k2", "id-2", 2000}, {"k3", "id-3", 3000}}));
  auto r = sweep(*store, 2500, 1);
  CHECK(r.removed == 1);
  CHECK(r.next_expiry_ms == 2000); // due already: the limit stopped it
  r = sweep(*store, 2500);
  CHECK(r.removed == 1);
  CHECK(r.next_expiry_ms == 3000);
  CHECK(lookup(*store, {"k1", "k2", "k3"}, 0) == hits{{"k3", "id-3"}});
  r = sweep(*store, 3000);
  CHECK(r.removed == 1);
  CHECK(r.next_expiry_ms == 0);
  CHECK(lookup(*store, {"k3"}, 0).empty());
  // The messages are not the sweep's business.
  CHECK(stored_seqs(*store) == std::vector<uint64_t>{1, 2, 3});
}

TEMPLATE_TEST_CASE("an id stored again after it expired is a new entry the old one's sweep keeps",
                   "[store]", memory_env, rocksdb_env) {
  TestType env;
  auto store = env.get().messages(queue_a, 0);
  REQUIRE(append_with(*store, {msg(1, "a")}, {{"k", "id-old", 1000}}));
  REQUIRE(append_with(*store, {msg(2, "b")}, {{"k", "id-new", 9000}}));
  CHECK(lookup(*store, {"k"}, 1500) == hits{{"k", "id-new"}});
  auto r = sweep(*store, 1500);
  CHECK(r.removed == 1);
  CHECK(r.next_expiry_ms == 9000);
  CHECK(lookup(*store, {"k"}, 1500) == hits{{"k", "id-new"}});
}

TEMPLATE_TEST_CASE("erasing a queue erases its dedup entries", "[store]", memory_env, rocksdb_env) {
  TestType env;
  auto a0 = env.get().messages(queue_a, 0);
  auto b0 = env.get().messages(queue_b, 0);
  REQUIRE(append_with(*a0, {msg(1, "a")}, {{"k", "id-a", 9000}}));
  REQUIRE(append_with(*b0, {msg(1, "b")}, {{"k", "id-b", 9000}}));
  meta_change erase;
  erase.erase_queues.push_back({"acct", queue_a});
  REQUIRE(write_now([&](write_callback cb) { env.get().meta().apply(erase, std::move(cb)); }));
  CHECK(lookup(*env.get().messages(queue_a, 0), {"k"}, 0).empty());
  CHECK(lookup(*b0, {"k"}, 0) == hits{{"k", "id-b"}});
}

TEST_CASE("faulty_backend: fail_reads fails dedup lookups and sweeps", "[store]") {
  memory_backend mem;
  faulty_backend fb{mem};
  auto store = fb.messages(queue_a, 0);
  REQUIRE(append_with(*store, {msg(1, "a")}, {{"k", "id", 1000}}));
  fb.plan().fail_reads(store_errc::io_error);
  auto found = read_now<std::vector<dedup_hit>>([&](read_callback<std::vector<dedup_hit>> cb) {
    store->lookup_dedup({{"k"}, 0}, std::move(cb));
  });
  CHECK_FALSE(found);
  auto swept = read_now<dedup_expiry>([&](read_callback<dedup_expiry> cb) {
    store->sweep_dedup({5000, 10}, std::move(cb));
  });
  CHECK_FALSE(swept);
  fb.plan().heal();
  CHECK(lookup(*store, {"k"}, 0) == hits{{"k", "id"}}); // the failed sweep deleted nothing
  CHECK(sweep(*store, 5000).removed == 1);
}
