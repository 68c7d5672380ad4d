#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "raft_test_machine.hpp"
#include "storage/raft/entry_codec.hpp"
#include "storage/raft/fsm_bridge.hpp"

extern "C" {
#include <raft/fixture.h>
}

// Raft's own in-memory cluster (raft/fixture.h): simulated time, network and
// disk, stepped by the test, so these runs are deterministic.

using namespace sluice::storage::raft;
using sluice::test::recording_machine;

namespace {

raft_buffer entry_of(const std::vector<std::string>& commands) {
  size_t bytes = 0;
  for (const auto& c : commands)
    bytes += c.size();
  entry_writer w(commands.size(), bytes);
  for (const auto& c : commands)
    w.add(c);
  return w.release();
}

struct fixture_cluster {
  static constexpr unsigned n = 3;
  raft_fixture f{};
  recording_machine machines[n];
  std::unique_ptr<fsm_bridge> bridges[n];

  fixture_cluster() {
    REQUIRE(raft_fixture_initialize(&f) == 0);
    for (unsigned i = 0; i < n; ++i) {
      bridges[i] = std::make_unique<fsm_bridge>(machines[i]);
      REQUIRE(raft_fixture_grow(&f, bridges[i]->fsm()) == 0);
      bridges[i]->attach(raft_fixture_get(&f, i));
    }
    raft_configuration conf;
    REQUIRE(raft_fixture_configuration(&f, n, &conf) == 0);
    REQUIRE(raft_fixture_bootstrap(&f, &conf) == 0);
    raft_configuration_close(&conf);
    REQUIRE(raft_fixture_start(&f) == 0);
    raft_fixture_elect(&f, 0);
  }
  ~fixture_cluster() { raft_fixture_close(&f); }

  /// Appends one entry on the leader (server 0) and returns its index.
  raft_index apply(const std::vector<std::string>& commands) {
    auto req = std::make_unique<struct raft_apply>();
    raft_buffer buf = entry_of(commands);
    REQUIRE(raft_apply(raft_fixture_get(&f, 0), req.get(), &buf, 1, nullptr) == 0);
    raft_index index = req->index;
    requests.push_back(std::move(req));
    return index;
  }

  std::vector<std::unique_ptr<struct raft_apply>> requests;
};

/// A state machine that already holds everything up to index 5.
struct holds_up_to_five : recording_machine {
  uint64_t applied_index() const override { return 5; }
};

} // namespace

TEST_CASE("raft fsm bridge: three servers apply packed entries in the same order with their "
          "indexes") {
  fixture_cluster c;
  raft_index first = c.apply({"a", "b", "c"});
  raft_index second = c.apply({"d"});
  REQUIRE(second == first + 1);
  REQUIRE(raft_fixture_step_until_applied(&c.f, fixture_cluster::n, second, 5000));
  for (auto& m : c.machines) {
    auto entries = m.entries();
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].index == first);
    CHECK(entries[0].commands == std::vector<std::string>{"a", "b", "c"});
    CHECK(entries[1].index == second);
    CHECK(entries[1].commands == std::vector<std::string>{"d"});
  }
  CHECK(c.bridges[1]->entries_applied() == 2);
  CHECK(c.bridges[1]->last_applied() == second);
}

TEST_CASE("raft fsm bridge: a server that was down past a snapshot restores it and catches up") {
  fixture_cluster c;
  for (unsigned i = 0; i < fixture_cluster::n; ++i) {
    raft_set_snapshot_threshold(raft_fixture_get(&c.f, i), 4);
    raft_set_snapshot_trailing(raft_fixture_get(&c.f, i), 2);
  }
  raft_fixture_kill(&c.f, 2);
  raft_index last = 0;
  for (int i = 0; i < 12; ++i)
    last = c.apply({"cmd-" + std::to_string(i)});
  REQUIRE(raft_fixture_step_until_applied(&c.f, 0, last, 5000));
  REQUIRE(raft_fixture_step_until_applied(&c.f, 1, last, 5000));
  CHECK(c.machines[2].commands().empty());
  raft_fixture_revive(&c.f, 2);
  REQUIRE(raft_fixture_step_until_applied(&c.f, 2, last, 10000));
  CHECK_FALSE(c.machines[2].restored_at().empty());
  CHECK(c.machines[2].commands() == c.machines[0].commands());
  CHECK(c.machines[0].commands().size() == 12);
}

TEST_CASE("raft fsm bridge: what the state machine already holds is not applied or restored "
          "again") {
  holds_up_to_five machine;
  fsm_bridge bridge(machine);
  ::raft r{};
  bridge.attach(&r);
  raft_fsm* fsm = bridge.fsm();
  void* result = nullptr;

  raft_buffer replayed = entry_of({"old"});
  r.last_applied = 4; // raft replays index 5 after a restart
  CHECK(fsm->apply(fsm, &replayed, &result) == 0);
  CHECK(machine.commands().empty());
  CHECK(bridge.replays_skipped() == 1);

  raft_buffer stale = encode_snapshot(5, "");
  CHECK(fsm->restore(fsm, &stale) == 0); // the bridge frees the buffer
  CHECK(machine.restored_at().empty());

  raft_buffer fresh = entry_of({"new"});
  r.last_applied = 5;
  CHECK(fsm->apply(fsm, &fresh, &result) == 0);
  auto entries = machine.entries();
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].index == 6);
  CHECK(bridge.last_applied() == 6);

  raft_buffer newer = encode_snapshot(9, "");
  CHECK(fsm->restore(fsm, &newer) == 0);
  CHECK(machine.restored_at() == std::vector<uint64_t>{9});
  CHECK(bridge.last_applied() == 9);

  raft_buffer garbage = entry_of({"x"});
  static_cast<char*>(garbage.base)[0] = 7;
  r.last_applied = 9;
  CHECK(fsm->apply(fsm, &garbage, &result) == RAFT_MALFORMED);
  raft_free(replayed.base);
  raft_free(fresh.base);
  raft_free(garbage.base);
}
