#include <catch2/catch.hpp>

#include <filesystem>

#include "replica_helpers.hpp"
#include "storage/replicated/checkpoint_fetch.hpp"
#include "storage/replicated/local_checkpoint_source.hpp"
#include "storage/rocksdb/store_swap.hpp"
#include "temp_dir.hpp"

// A follower's store machine catching up from a leader's checkpoint, over
// real RocksDB stores in temp dirs, without raft (the cluster test does it
// over raft): the swap, a source failing mid-file or reading short, and a
// crash between the swap's steps (the directories left in each
// intermediate state, then reopened).

namespace sluice::storage {

namespace fs = std::filesystem;
using namespace test_replica;

namespace {

/// What the test source does wrong.
struct faults {
  int fail_at_read = 0;    ///< this read_chunk call (1-based) fails; 0: none
  int short_at_read = 0;   ///< this one returns nothing before the end
  bool fail_every = false; ///< every read_chunk fails
  int reads = 0;
  int sources_made = 0;
  std::vector<uint64_t> leaders_asked;
};

/// Forwards to a real source, breaking where `faults` says.
class faulty_source : public checkpoint_source {
public:
  faulty_source(checkpoint_source& real, faults& f) : real_(real), f_(f) {}
  expected<checkpoint_manifest> prepare(uint64_t min_index) override {
    return real_.prepare(min_index);
  }
  expected<std::string> read_chunk(const std::string& checkpoint, const std::string& file,
                                   uint64_t offset, size_t max) override {
    ++f_.reads;
    if (f_.reads == f_.fail_at_read || f_.fail_every)
      return store_error{store_errc::io_error, "connection reset by peer"};
    if (f_.reads == f_.short_at_read)
      return std::string{};
    return real_.read_chunk(checkpoint, file, offset, max);
  }

private:
  checkpoint_source& real_;
  faults& f_;
};

/// A leader store at index 40 and a follower store at index 10.
struct two_stores {
  test::temp_dir dir;
  std::string leader_dir = dir.path() + "/leader";
  std::string follower_dir = dir.path() + "/follower";
  std::unique_ptr<rocksdb_backend> leader = open_store(leader_dir);
  std::unique_ptr<rocksdb_backend> follower = open_store(follower_dir);
  std::unique_ptr<local_checkpoint_source> source;
  faults f;

  two_stores() {
    store_machine lm{*leader, 0};
    apply_appends(lm, 1, 40, 2000);
    store_machine fm{*follower, 0};
    apply_appends(fm, 1, 10, 2000);
    source = std::make_unique<local_checkpoint_source>(
        *leader, local_checkpoint_source::default_root(leader_dir));
  }

  catch_up_config config(unsigned attempts = 1) {
    catch_up_config c;
    c.chunk_size = 1000;
    c.retry_delay = std::chrono::milliseconds{0};
    c.max_attempts = attempts;
    c.source = [this](const raft::leader_hint& hint) -> std::unique_ptr<checkpoint_source> {
      ++f.sources_made;
      f.leaders_asked.push_back(hint.id);
      return std::make_unique<faulty_source>(*source, f);
    };
    return c;
  }

  /// The follower's store is as it was: index 10, messages 1..10, no
  /// leftover directories.
  void check_follower_unchanged() {
    CHECK(*follower->applied_index() == 10);
    CHECK(shard_seqs(*follower) == seqs_up_to(10));
    CHECK_FALSE(fs::exists(incoming_dir_of(follower_dir)));
    CHECK_FALSE(fs::exists(old_dir_of(follower_dir)));
  }
};

} // namespace

TEST_CASE("a snapshot newer than the store is restored from the leader's checkpoint") {
  two_stores s;
  store_machine machine{*s.follower, 10, s.config()};
  machine.set_leader_lookup([] { return raft::leader_hint{1, "127.0.0.1:1"}; });
  CHECK(machine.restore(35, machine.snapshot()));
  CHECK(machine.applied_index() == 40); // the checkpoint is newer than the marker
  CHECK(machine.catch_ups() == 1);
  CHECK(s.f.leaders_asked == std::vector<uint64_t>{1});
  CHECK(*s.follower->applied_index() == 40);
  CHECK(shard_seqs(*s.follower) == seqs_up_to(40));
  CHECK_FALSE(fs::exists(incoming_dir_of(s.follower_dir)));
  CHECK_FALSE(fs::exists(old_dir_of(s.follower_dir)));

  // Entries the checkpoint already holds are skipped, later ones apply.
  apply_appends(machine, 36, 41, 10);
  CHECK(*s.follower->applied_index() == 41);
  CHECK(shard_seqs(*s.follower) == seqs_up_to(41));

  // And the swapped-in store is the one a restart opens.
  s.follower.reset();
  auto reopened = open_store(s.follower_dir);
  CHECK(*reopened->applied_index() == 41);
}

TEST_CASE("a failed catch-up leaves the old store in place and usable") {
  two_stores s;

  SECTION("the source fails in the middle of a file") {
    s.f.fail_at_read = 5;
    store_machine machine{*s.follower, 10, s.config()};
    CHECK_FALSE(machine.restore(35, ""));
    CHECK(s.f.reads == 5);
    CHECK(machine.applied_index() == 10);
    s.check_follower_unchanged();
    // The old store still applies entries.
    apply_appends(machine, 11, 12, 10);
    CHECK(shard_seqs(*s.follower) == seqs_up_to(12));
  }

  SECTION("the source reads short") {
    s.f.short_at_read = 3;
    store_machine machine{*s.follower, 10, s.config()};
    auto r = machine.catch_up(35, {});
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("got 0 bytes") != std::string::npos);
    s.check_follower_unchanged();
  }

  SECTION("the source has not applied the marker") {
    store_machine machine{*s.follower, 10, s.config()};
    CHECK_FALSE(machine.restore(45, ""));
    s.check_follower_unchanged();
  }

  SECTION("there is no source") {
    store_machine machine{*s.follower, 10};
    CHECK_FALSE(machine.restore(35, ""));
    s.check_follower_unchanged();
  }

  SECTION("no source for this leader") {
    catch_up_config c = s.config();
    c.source = [](const raft::leader_hint&) { return std::unique_ptr<checkpoint_source>{}; };
    store_machine machine{*s.follower, 10, c};
    CHECK_FALSE(machine.restore(35, ""));
    s.check_follower_unchanged();
  }

  SECTION("a snapshot not newer than the store needs nothing") {
    store_machine machine{*s.follower, 10, s.config()};
    CHECK(machine.restore(10, ""));
    CHECK(s.f.sources_made == 0);
  }
}

TEST_CASE("a failed catch-up is retried until it succeeds or is cancelled") {
  two_stores s;

  SECTION("the second attempt succeeds") {
    s.f.fail_at_read = 2;
    store_machine machine{*s.follower, 10, s.config(0)};
    CHECK(machine.restore(35, ""));
    CHECK(s.f.sources_made == 2);
    CHECK(*s.follower->applied_index() == 40);
  }

  SECTION("cancelling makes it give up") {
    s.f.fail_every = true;
    catch_up_config c = s.config(0);
    store_machine* self = nullptr;
    auto real = c.source;
    c.source = [&](const raft::leader_hint& leader) {
      if (s.f.sources_made == 2)
        self->cancel_catch_up(); // as replicated_backend::stop does
      return real(leader);
    };
    store_machine machine{*s.follower, 10, c};
    self = &machine;
    CHECK_FALSE(machine.restore(35, ""));
    CHECK(s.f.sources_made == 3);
    s.check_follower_unchanged();
  }
}

TEST_CASE("a crash at any step of the swap leaves the old or the new complete store") {
  two_stores s;
  // The complete, synced replacement, as the fetch leaves it.
  auto incoming = incoming_dir_of(s.follower_dir);
  REQUIRE(fetch_checkpoint(*s.source, 35, incoming, 1000));
  s.follower.reset(); // the crash: nothing is open
  auto old = old_dir_of(s.follower_dir);

  SECTION("before the first rename: the old store, the fetched one deleted") {
    auto b = open_store(s.follower_dir);
    CHECK(*b->applied_index() == 10);
    CHECK(shard_seqs(*b) == seqs_up_to(10));
    CHECK_FALSE(fs::exists(incoming));
  }

  SECTION("between the renames: the old store is put back") {
    fs::rename(s.follower_dir, old);
    auto b = open_store(s.follower_dir);
    CHECK(*b->applied_index() == 10);
    CHECK(shard_seqs(*b) == seqs_up_to(10));
    CHECK_FALSE(fs::exists(incoming));
    CHECK_FALSE(fs::exists(old));
  }

  SECTION("after the second rename: the new store, the old one deleted") {
    fs::rename(s.follower_dir, old);
    fs::rename(incoming, s.follower_dir);
    auto b = open_store(s.follower_dir);
    CHECK(*b->applied_index() == 40);
    CHECK(shard_seqs(*b) == seqs_up_to(40));
    CHECK_FALSE(fs::exists(old));
  }

  SECTION("while deleting the old store: the new store") {
    REQUIRE(swap_store_dirs(s.follower_dir).ok());
    for (const auto& e : fs::directory_iterator(old))
      if (e.path().extension() == ".sst") {
        fs::remove(e.path()); // half deleted
        break;
      }
    auto b = open_store(s.follower_dir);
    CHECK(*b->applied_index() == 40);
    CHECK_FALSE(fs::exists(old));
  }
}

} // namespace sluice::storage
