#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "storage/fault/faulty_backend.hpp"
#include "storage/memory/memory_backend.hpp"
#include "storage/rocksdb/rocksdb_backend.hpp"
#include "tests/temp_dir.hpp"
#include "tests/unit/storage/store_helpers.hpp"

using namespace sluice::storage;
using namespace sluice::test;

namespace {

meta_change one_token(const std::string& hash) {
  meta_change c;
  token_record t;
  t.id = "11111111111111111111111111111111";
  t.hash = hash;
  t.account = "acct";
  c.put_tokens.push_back(t);
  return c;
}

std::vector<std::string> token_hashes(meta_store& meta) {
  auto m = meta.load();
  REQUIRE(m);
  std::vector<std::string> out;
  for (const auto& t : m->tokens)
    out.push_back(t.hash);
  return out;
}

/// Counts the calls of the callbacks it makes and keeps their results.
struct callbacks {
  std::vector<expected<applied>> results;
  int calls = 0;

  write_callback make() {
    return [this](expected<applied> r) {
      ++calls;
      results.push_back(std::move(r));
    };
  }
};

} // namespace

TEST_CASE("faulty_backend: without faults every command passes through", "[fault]") {
  memory_backend mem;
  faulty_backend fb{mem};
  auto store = fb.messages(queue_a, 0);
  REQUIRE(append(*store, {msg(1, "a")}));
  REQUIRE(apply(fb.meta(), one_token("h1")));
  CHECK(stored_seqs(*store) == std::vector<uint64_t>{1});
  CHECK(stored_seqs(*mem.messages(queue_a, 0)) == std::vector<uint64_t>{1});
  CHECK(token_hashes(fb.meta()) == std::vector<std::string>{"h1"});
  auto secret = fb.meta().lease_secret("s");
  REQUIRE(secret);
  CHECK(*secret == "s");
  CHECK(fb.plan().writes() == 2);
  CHECK(fb.plan().failed_writes() == 0);
}

TEST_CASE("faulty_backend: the nth write fails, is not applied, and the next succeeds", "[fault]") {
  memory_backend mem;
  faulty_backend fb{mem};
  auto store = fb.messages(queue_a, 0);
  REQUIRE(append(*store, {msg(1, "a")}));
  fb.plan().fail_nth_write(2);

  auto first = append(*store, {msg(2, "b")});
  REQUIRE(first);
  auto failed = append(*store, {msg(3, "c")});
  REQUIRE_FALSE(failed);
  CHECK(failed.error().code == store_errc::io_error);
  CHECK(failed.error().message == "injected io_error failure of append");
  auto next = append(*store, {msg(4, "d")});
  REQUIRE(next);
  // Nothing of the failed write was applied, and it took no index.
  CHECK(next->index == first->index + 1);
  CHECK(stored_seqs(*store) == std::vector<uint64_t>{1, 2, 4});
  CHECK(fb.plan().writes() == 4);
  CHECK(fb.plan().failed_writes() == 1);
}

TEST_CASE("faulty_backend: a failed meta write is not applied", "[fault]") {
  memory_backend mem;
  faulty_backend fb{mem};
  fb.plan().fail_nth_write(1, store_errc::corrupt);
  auto failed = apply(fb.meta(), one_token("h1"));
  REQUIRE_FALSE(failed);
  CHECK(failed.error().code == store_errc::corrupt);
  CHECK(failed.error().message == "injected corrupt failure of meta");
  CHECK(token_hashes(fb.meta()).empty());
  REQUIRE(apply(fb.meta(), one_token("h2")));
  CHECK(token_hashes(fb.meta()) == std::vector<std::string>{"h2"});
}

TEST_CASE("faulty_backend: the nth write counts writes of every store", "[fault]") {
  memory_backend mem;
  faulty_backend fb{mem};
  auto a = fb.messages(queue_a, 0);
  auto b = fb.messages(queue_b, 1);
  fb.plan().fail_nth_write(3);
  fb.plan().fail_nth_write(4, store_errc::closed);
  REQUIRE(append(*a, {msg(1, "a")}));
  REQUIRE(apply(fb.meta(), one_token("h1")));
  auto third = append(*b, {msg(1, "b")});
  REQUIRE_FALSE(third);
  CHECK(third.error().code == store_errc::io_error);
  auto fourth = lease(*a, {{1, {1, 5, false}}});
  REQUIRE_FALSE(fourth);
  CHECK(fourth.error().code == store_errc::closed);
  REQUIRE(append(*b, {msg(2, "b")}));
  CHECK(stored_seqs(*b) == std::vector<uint64_t>{2});
  auto r = recover(*a, 10);
  REQUIRE(r);
  CHECK(r->loaded.at(0).state.attempts == 0); // the lease was not applied
}

TEST_CASE("faulty_backend: a full disk fails with no_space and its message", "[fault]") {
  memory_backend mem;
  faulty_backend fb{mem};
  auto store = fb.messages(queue_a, 0);
  fb.plan().fail_writes(store_errc::no_space);
  auto a = append(*store, {msg(1, "a")});
  REQUIRE_FALSE(a);
  CHECK(a.error().code == store_errc::no_space);
  CHECK(a.error().message == "the disk is full (No space left on device)");
  auto m = apply(fb.meta(), one_token("h1"));
  REQUIRE_FALSE(m);
  CHECK(m.error().code == store_errc::no_space);
  CHECK(remove(*store, {1}).error().code == store_errc::no_space);
  CHECK(fb.plan().failed_writes() == 3);
  // Reads still work while the disk is full.
  CHECK(stored_seqs(*store).empty());

  fb.plan().heal();
  REQUIRE(append(*store, {msg(2, "b")}));
  CHECK(stored_seqs(*store) == std::vector<uint64_t>{2});
  CHECK(fb.plan().writes() == 4);
  CHECK(fb.plan().failed_writes() == 3);
}

TEST_CASE("faulty_backend: fail_reads fails page and recover until healed", "[fault]") {
  memory_backend mem;
  faulty_backend fb{mem};
  auto store = fb.messages(queue_a, 0);
  REQUIRE(append(*store, {msg(1, "a")}));
  fb.plan().fail_reads();
  auto r = recover(*store, 10);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == store_errc::io_error);
  CHECK(r.error().message == "injected io_error failure of recover");
  auto p = page(*store, 0, 10, 10);
  REQUIRE_FALSE(p);
  CHECK(p.error().message == "injected io_error failure of page");
  // Writes and the start-up reads are not reads the plan fails.
  REQUIRE(append(*store, {msg(2, "b")}));
  CHECK(fb.meta().load());

  fb.plan().heal();
  CHECK(stored_seqs(*store) == std::vector<uint64_t>{1, 2});
}

TEST_CASE("faulty_backend: fail_writes_of fails only that operation", "[fault]") {
  memory_backend mem;
  faulty_backend fb{mem};
  auto store = fb.messages(queue_a, 0);
  REQUIRE(append(*store, {msg(1, "a"), msg(2, "b"), msg(3, "c")}));
  fb.plan().fail_writes_of("delete", store_errc::no_space);
  fb.plan().fail_writes_of("meta");

  auto del = remove(*store, {1});
  REQUIRE_FALSE(del);
  CHECK(del.error().code == store_errc::no_space);
  REQUIRE_FALSE(apply(fb.meta(), one_token("h1")));
  REQUIRE(expire(*store, {2}));
  REQUIRE(lease(*store, {{3, {1, 5, false}}}));
  REQUIRE(settle(*store, settle_messages{{3}, {}, {}}));
  REQUIRE(append(*store, {msg(4, "d")}));
  REQUIRE(purge(*store, purge_messages{{4}, 0, 0}));
  CHECK(stored_seqs(*store) == std::vector<uint64_t>{1});

  fb.plan().fail_writes_of("delete", store_errc::corrupt); // replaces the code
  CHECK(remove(*store, {1}).error().code == store_errc::corrupt);
  fb.plan().heal();
  REQUIRE(remove(*store, {1}));
  CHECK(stored_seqs(*store).empty());
}

TEST_CASE("faulty_backend: held writes are applied but answered only on release, in order",
          "[fault]") {
  memory_backend mem;
  faulty_backend fb{mem};
  auto store = fb.messages(queue_a, 0);
  callbacks cbs;
  fb.plan().hold_writes();
  store->append(append_messages{{msg(1, "a")}}, cbs.make());
  fb.meta().apply(one_token("h1"), cbs.make());
  fb.plan().fail_nth_write(1);
  store->append(append_messages{{msg(2, "b")}}, cbs.make()); // fails, held too
  store->append(append_messages{{msg(3, "c")}}, cbs.make());
  CHECK(cbs.calls == 0);
  CHECK(fb.plan().held() == 4);
  // Applied already: only the answer is late.
  CHECK(stored_seqs(*store) == std::vector<uint64_t>{1, 3});

  REQUIRE(fb.plan().release_one());
  CHECK(cbs.calls == 1);
  CHECK(fb.plan().held() == 3);
  store->append(append_messages{{msg(4, "d")}}, cbs.make()); // still held
  CHECK(fb.plan().held() == 4);

  fb.plan().release_writes();
  CHECK(fb.plan().held() == 0);
  REQUIRE(cbs.calls == 5);
  REQUIRE(cbs.results[0]);
  REQUIRE(cbs.results[1]);
  REQUIRE_FALSE(cbs.results[2]);
  REQUIRE(cbs.results[3]);
  REQUIRE(cbs.results[4]);
  CHECK(cbs.results[1]->index == cbs.results[0]->index + 1);
  CHECK(cbs.results[3]->index == cbs.results[1]->index + 1);
  CHECK(cbs.results[4]->index == cbs.results[3]->index + 1);
  CHECK_FALSE(fb.plan().release_one());

  // Released: answers come at once again.
  store->append(append_messages{{msg(5, "e")}}, cbs.make());
  CHECK(cbs.calls == 6);
}

TEST_CASE("faulty_backend: every callback runs exactly once", "[fault]") {
  memory_backend mem;
  callbacks cbs;
  {
    faulty_backend fb{mem};
    auto store = fb.messages(queue_a, 0);
    fb.plan().fail_nth_write(2);
    fb.plan().fail_writes_of("lease");
    store->append(append_messages{{msg(1, "a")}}, cbs.make());
    store->append(append_messages{{msg(2, "b")}}, cbs.make());
    store->lease(lease_messages{{{1, {1, 5, false}}}}, cbs.make());
    CHECK(cbs.calls == 3);
    fb.plan().hold_writes();
    store->remove(delete_messages{{1}}, cbs.make());
    store->lease(lease_messages{{{1, {1, 5, false}}}}, cbs.make());
    CHECK(cbs.calls == 3);
    CHECK(fb.plan().failed_writes() == 3);
  } // dropping the backend releases what it held
  REQUIRE(cbs.calls == 5);
  CHECK(cbs.results[0]);
  CHECK_FALSE(cbs.results[1]);
  CHECK_FALSE(cbs.results[2]);
  CHECK(cbs.results[3]);
  CHECK_FALSE(cbs.results[4]);
}

TEST_CASE("faulty_backend: stop releases held writes, then stops the wrapped backend", "[fault]") {
  memory_backend mem;
  faulty_backend fb{mem};
  auto store = fb.messages(queue_a, 0);
  callbacks cbs;
  fb.plan().hold_writes();
  store->append(append_messages{{msg(1, "a")}}, cbs.make());
  fb.stop();
  REQUIRE(cbs.calls == 1);
  CHECK(cbs.results[0]);
  auto after = append(*store, {msg(2, "b")});
  REQUIRE_FALSE(after);
  CHECK(after.error().code == store_errc::closed);
  CHECK(fb.plan().failed_writes() == 1);
}

TEST_CASE("faulty_backend: around RocksDB a failed write is absent after reopening", "[fault]") {
  temp_dir dir;
  store_error err;
  auto open = [&] {
    auto b = rocksdb_backend::open(dir.path(), rocksdb_backend::mode::inline_io, err);
    INFO(err.message);
    REQUIRE(b);
    return b;
  };
  {
    auto rb = open();
    faulty_backend fb{*rb};
    auto store = fb.messages(queue_a, 0);
    fb.plan().fail_nth_write(2, store_errc::no_space);
    REQUIRE(append(*store, {msg(1, "a")}));
    auto full = append(*store, {msg(2, "b")});
    REQUIRE_FALSE(full);
    CHECK(full.error().message == fault_plan::no_space_message);
    REQUIRE(append(*store, {msg(3, "c")}));
  }
  auto rb = open();
  CHECK(stored_seqs(*rb->messages(queue_a, 0)) == std::vector<uint64_t>{1, 3});
}
