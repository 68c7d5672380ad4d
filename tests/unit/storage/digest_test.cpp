#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "storage/rocksdb/batch.hpp"
#include "storage/rocksdb/db.hpp"
#include "storage/rocksdb/digest.hpp"
#include "storage/rocksdb/writer.hpp"
#include "tests/temp_dir.hpp"

using namespace sluice::storage;

namespace {

/// Commits each of `batches` under the applied index 7, 8, … (as a replica
/// applying raft entries does), then closes the store.
void apply_entries(const std::string& dir,
                   const std::vector<std::function<void(batch&)>>& batches) {
  status st;
  auto d = db::open(dir, st);
  REQUIRE(st.ok());
  uint64_t index = 7;
  for (const auto& fill : batches) {
    writer w{*d, writer::mode::collect};
    batch b;
    fill(b);
    w.submit(std::move(b), [](const status&, uint64_t) {});
    REQUIRE(w.commit_collected_at(index++).ok());
  }
}

store_digest digest_of(const std::string& dir) {
  auto d = digest_store(dir);
  REQUIRE(d);
  return *d;
}

const family_digest& family_named(const store_digest& d, const std::string& name) {
  for (const auto& f : d.families)
    if (f.name == name)
      return f;
  FAIL("no column family " << name);
  throw std::logic_error("unreachable");
}

} // namespace

TEST_CASE("replicas that applied the same entries have the same digest and applied index") {
  sluice::test::temp_dir a, b;
  auto put_q = [](batch& x) { x.put(family::meta, "queue/1", "settings"); };
  auto put_m = [](batch& x) {
    x.put(family::messages, "m1", "body one");
    x.put(family::state, "m1", "attempts 1");
  };
  apply_entries(a.path(), {put_q, put_m});
  apply_entries(b.path(), {put_q, put_m});
  auto da = digest_of(a.path()), db_ = digest_of(b.path());
  CHECK(da.applied_index == 8);
  CHECK(db_.applied_index == 8);
  CHECK(da.sha256 == db_.sha256);
  CHECK(da.sha256.size() == 64);
  CHECK(da.sha256.find_first_not_of("0123456789abcdef") == std::string::npos);
  // Every family is hashed, in byte order of the names.
  std::vector<std::string> names;
  for (const auto& f : da.families)
    names.push_back(f.name);
  CHECK(names == std::vector<std::string>{"dedup", "default", "messages", "meta", "state"});
  CHECK(family_named(da, "messages").keys == 1);
  CHECK(family_named(da, "meta").keys == 2); // queue/1 and applied/index
}

TEST_CASE("a different value, a missing key or a different applied index changes the digest") {
  sluice::test::temp_dir base, other_value, missing, later;
  auto msg = [](const std::string& body) {
    return [body](batch& x) { x.put(family::messages, "m1", body); };
  };
  auto state = [](batch& x) { x.put(family::state, "m1", "attempts 1"); };
  apply_entries(base.path(), {msg("body"), state});
  apply_entries(other_value.path(), {msg("bodY"), state});
  apply_entries(missing.path(), {msg("body"), [](batch&) {}});
  apply_entries(later.path(), {msg("body"), state, [](batch&) {}});
  auto d = digest_of(base.path());
  CHECK(digest_of(other_value.path()).sha256 != d.sha256);
  CHECK(family_named(digest_of(other_value.path()), "state").sha256
        == family_named(d, "state").sha256); // only the messages family differs
  CHECK(digest_of(missing.path()).sha256 != d.sha256);
  auto l = digest_of(later.path());
  CHECK(l.applied_index == d.applied_index + 1);
  CHECK(l.sha256 != d.sha256);
}

TEST_CASE("the digest sees the live keys, not the order or batches they were written in") {
  sluice::test::temp_dir a, b;
  apply_entries(a.path(), {[](batch& x) {
                             x.put(family::dedup, "k1", "v1");
                             x.put(family::dedup, "k2", "v2");
                           },
                           [](batch& x) { x.put(family::dedup, "k3", "v3"); }});
  apply_entries(b.path(), {[](batch& x) {
                             x.put(family::dedup, "k3", "v3");
                             x.put(family::dedup, "gone", "soon");
                           },
                           [](batch& x) {
                             x.erase(family::dedup, "gone");
                             x.put(family::dedup, "k2", "v2");
                             x.put(family::dedup, "k1", "v1");
                           }});
  CHECK(digest_of(a.path()).sha256 == digest_of(b.path()).sha256);
  CHECK(family_named(digest_of(b.path()), "dedup").keys == 3);
}

TEST_CASE("key and value boundaries count: ab|c and a|bc differ") {
  sluice::test::temp_dir a, b;
  apply_entries(a.path(), {[](batch& x) { x.put(family::state, "ab", "c"); }});
  apply_entries(b.path(), {[](batch& x) { x.put(family::state, "a", "bc"); }});
  CHECK(digest_of(a.path()).sha256 != digest_of(b.path()).sha256);
}

TEST_CASE("a store open in another handle can be digested read-only") {
  sluice::test::temp_dir dir;
  apply_entries(dir.path(), {[](batch& x) { x.put(family::meta, "k", "v"); }});
  auto before = digest_of(dir.path());
  status st;
  auto d = db::open(dir.path(), st); // as a running node holds it
  REQUIRE(st.ok());
  CHECK(digest_of(dir.path()).sha256 == before.sha256);
}

TEST_CASE("a directory without a store is an error naming it, and nothing is created there") {
  sluice::test::temp_dir dir;
  auto missing = dir.path() + "/no-store";
  auto d = digest_store(missing);
  REQUIRE(!d);
  CHECK(d.error().code == store_errc::io_error);
  CHECK(d.error().message.find(missing) != std::string::npos);
  CHECK(!std::filesystem::exists(missing));
}
