#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "replicated_cluster.hpp"

// Three replicated backends (storage/replicated/) in one process: real raft
// over loopback TCP, real RocksDB stores in temp dirs. Elections and
// failover take real time, so these are integration tests.

using namespace sluice::test;
namespace st = sluice::storage;

namespace {

const std::string queue_a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string queue_b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

st::meta_change create_queue(const std::string& id, const std::string& name, uint64_t audit_seq) {
  st::meta_change c;
  st::queue_record q;
  q.account = "acct";
  q.id = id;
  q.name = name;
  q.settings.delivery_delay = 7;
  c.put_queues = {q};
  st::consumer_record consumer;
  consumer.id = "consumer-" + name;
  consumer.type = st::consumer_type::http_pull;
  consumer.batch_size = 10;
  c.put_consumers = {{"acct", id, consumer}};
  st::audit_record a;
  a.seq = audit_seq;
  a.account = "acct";
  a.action = "CreateQueue";
  a.resource_id = id;
  c.put_audit = {a};
  return c;
}

st::append_messages messages(uint64_t from, uint64_t to) {
  st::append_messages a;
  for (uint64_t seq = from; seq < to; ++seq) {
    st::stored_message m;
    m.timestamp_ms = 1000 + static_cast<int64_t>(seq);
    m.body = "message " + std::to_string(seq);
    a.messages.push_back({seq, m, 0});
  }
  return a;
}

/// Appends through `store` and waits; returns the outcome.
st::expected<st::applied> append(st::message_store& store, uint64_t from, uint64_t to) {
  return write_and_wait([&](st::write_callback done) { store.append(messages(from, to), done); });
}

const std::vector<std::string> dedup_ids = {"d-old", "d-old2", "d-new"};

/// Every replica that runs holds the same meta records and shard contents
/// (messages, states and dedup entries).
void check_same_everywhere(replicated_cluster& c, const std::vector<std::string>& queues) {
  int reference = -1;
  for (size_t i = 0; i < c.slots.size(); ++i) {
    if (!c.slots[i].backend)
      continue;
    if (reference < 0) {
      reference = static_cast<int>(i);
      continue;
    }
    INFO("replica " << i << " against replica " << reference);
    CHECK(meta_text(c.backend(i)) == meta_text(c.backend(reference)));
    for (const auto& q : queues)
      for (uint16_t shard : {0, 1}) {
        CHECK(shard_text(c.backend(i), q, shard) == shard_text(c.backend(reference), q, shard));
        CHECK(dedup_text(c.backend(i), q, shard, dedup_ids)
              == dedup_text(c.backend(reference), q, shard, dedup_ids));
      }
  }
}

} // namespace

TEST_CASE("replicated store: writes through the leader are applied alike on every replica") {
  replicated_cluster c;
  int leader = c.leader();
  REQUIRE(leader >= 0);
  auto& lead = c.backend(leader);

  // A callback reports success only once the entry is applied here (and so
  // committed): what it acknowledged is readable from the local store at once.
  std::atomic<bool> applied_before_callback{true};
  auto checked = [&](st::write_callback done) {
    return [&, done](st::expected<st::applied> r) {
      if (r && lead.applied_index() < r->index)
        applied_before_callback = false;
      done(std::move(r));
    };
  };
  auto created = write_and_wait([&](st::write_callback done) {
    lead.meta().apply(create_queue(queue_a, "a", 1), checked(done));
  });
  REQUIRE(created);
  CHECK(created->index > 0);
  CHECK(meta_text(lead).find("queue acct/" + queue_a) != std::string::npos);
  REQUIRE(write_and_wait([&](st::write_callback done) {
    lead.meta().apply(create_queue(queue_b, "b", 2), checked(done));
  }));

  auto a0 = lead.messages(queue_a, 0);
  auto a1 = lead.messages(queue_a, 1);
  auto b0 = lead.messages(queue_b, 0);
  uint64_t last = 0;
  for (uint64_t i = 0; i < 10; ++i) {
    for (auto* s : {a0.get(), a1.get(), b0.get()}) {
      auto r = write_and_wait([&](st::write_callback done) {
        s->append(messages(i * 10 + 1, i * 10 + 11), checked(done));
      });
      REQUIRE(r);
      CHECK(r->index > last); // log indexes rise
      last = r->index;
    }
  }
  CHECK(shard_text(lead, queue_a, 0).find("message 100:") != std::string::npos);

  REQUIRE(write_and_wait([&](st::write_callback done) {
    a0->lease({{{1, {1, 50000, false, ""}}, {2, {1, 50000, false, ""}}, {3, {1, 50000, true, ""}}}},
              checked(done));
  }));
  REQUIRE(write_and_wait([&](st::write_callback done) {
    a0->settle({{1}, {{2, {1, 90000, false, "retry me"}}}, {3}}, checked(done));
  }));
  REQUIRE(write_and_wait([&](st::write_callback done) { a0->remove({{4, 5}}, checked(done)); }));
  REQUIRE(write_and_wait([&](st::write_callback done) { a1->expire({{1, 2, 3}}, checked(done)); }));
  REQUIRE(write_and_wait([&](st::write_callback done) {
    b0->purge({{1, 2}, 3, 101}, checked(done));
  }));
  // Dedup entries travel with their append; a sweep deletes the expired
  // ones on every replica (the leader reads them, the log deletes them).
  auto with_dedup = messages(200, 203);
  with_dedup.dedup = {
      {"d-old", "id-200", 5000}, {"d-old2", "id-201", 6000}, {"d-new", "id-202", 4000000000000}};
  REQUIRE(write_and_wait([&](st::write_callback done) { a0->append(with_dedup, checked(done)); }));
  auto hits = read_and_wait<std::vector<st::dedup_hit>>(
      [&](st::read_callback<std::vector<st::dedup_hit>> done) {
        a0->lookup_dedup({dedup_ids, 10000}, done);
      });
  REQUIRE(hits);
  REQUIRE(hits->size() == 1);
  CHECK(hits->front().message_id == "id-202");
  auto sweep = [&](size_t limit) {
    return read_and_wait<st::dedup_expiry>([&](st::read_callback<st::dedup_expiry> done) {
      a0->sweep_dedup({10000, limit}, done);
    });
  };
  auto first = sweep(1);
  REQUIRE(first);
  CHECK(first->removed == 1);
  CHECK(first->next_expiry_ms == 6000); // more expired than the limit
  auto second = sweep(100);
  REQUIRE(second);
  CHECK(second->removed == 1);
  CHECK(second->next_expiry_ms == 4000000000000);
  auto after_sweeps = lead.applied_index();
  auto third = sweep(100); // nothing expired: nothing replicated
  REQUIRE(third);
  CHECK(third->removed == 0);
  CHECK(third->next_expiry_ms == 4000000000000);
  CHECK(lead.applied_index() == after_sweeps);

  // Fan-out: consumers in slots 1 and 2; erasing slot 1 leaves 0 and 2.
  st::meta_change fan_out;
  st::queue_record multi;
  multi.account = "acct";
  multi.id = queue_a;
  multi.name = "a";
  multi.settings.delivery_delay = 7;
  multi.settings.mode = st::consumer_mode::multi;
  multi.settings.dedup_window_seconds = 60;
  fan_out.put_queues = {multi};
  for (uint16_t slot : {1, 2}) {
    st::consumer_record consumer;
    consumer.id = "fan-" + std::to_string(slot);
    consumer.type = st::consumer_type::http_pull;
    consumer.slot = slot;
    fan_out.put_consumers.push_back({"acct", queue_a, consumer});
  }
  REQUIRE(
      write_and_wait([&](st::write_callback done) { lead.meta().apply(fan_out, checked(done)); }));
  st::meta_change erase_slot;
  erase_slot.erase_consumers = {{"acct", queue_a, 1}};
  REQUIRE(write_and_wait(
      [&](st::write_callback done) { lead.meta().apply(erase_slot, checked(done)); }));

  // A redrive task's record.
  st::meta_change redrive;
  st::redrive_record task;
  task.account = "acct";
  task.id = "0123456789abcdef0123456789abcdef";
  task.source_queue_id = queue_b;
  task.destination_queue_id = queue_a;
  task.max_per_second = 25;
  task.state = st::redrive_state::completed;
  task.to_move = 12;
  task.moved = 12;
  task.started_ms = 1700000000000;
  task.finished_ms = 1700000001000;
  redrive.put_redrives = {task};
  REQUIRE(
      write_and_wait([&](st::write_callback done) { lead.meta().apply(redrive, checked(done)); }));

  st::meta_change token;
  token.put_tokens = {{"tid", "hash", "acct", st::perm_queues_read, "ci", 5}};
  auto final_write =
      write_and_wait([&](st::write_callback done) { lead.meta().apply(token, checked(done)); });
  REQUIRE(final_write);
  CHECK(applied_before_callback);

  auto secret = lead.meta().lease_secret("secret-of-the-leader");
  REQUIRE(secret);
  CHECK(*secret == "secret-of-the-leader");
  CHECK(*lead.meta().lease_secret("another") == "secret-of-the-leader");

  REQUIRE(c.applied_everywhere(lead.applied_index()));
  check_same_everywhere(c, {queue_a, queue_b});
  auto shard = shard_text(c.backend((leader + 1) % 3), queue_a, 0);
  CHECK(shard.find("2:message 2:1:90000:retry me;") != std::string::npos); // retried
  CHECK(shard.find("1:message 1:") == std::string::npos);                  // acked
  CHECK(shard_text(c.backend((leader + 2) % 3), queue_b, 0) == "cold=0 last=0");
  CHECK(dedup_text(c.backend((leader + 1) % 3), queue_a, 0, dedup_ids) == "d-new->id-202;");
  auto follower_meta = meta_text(c.backend((leader + 2) % 3));
  CHECK(follower_meta.find("queue acct/" + queue_a + " a 7 multi 60") != std::string::npos);
  CHECK(follower_meta.find("consumer consumer-a 10 slot 0") != std::string::npos);
  CHECK(follower_meta.find("consumer fan-1 ") == std::string::npos); // erased
  CHECK(follower_meta.find("consumer fan-2 5 slot 2") != std::string::npos);
  CHECK(follower_meta.find("redrive acct/" + queue_b + " 0123456789abcdef0123456789abcdef "
                           + queue_a + " 25 COMPLETED 12 12 1700000000000 1700000001000 ;")
        != std::string::npos);
  // Lease ids signed by this leader verify on the next one: same secret.
  for (size_t i = 0; i < 3; ++i) {
    auto s = c.backend(i).meta().lease_secret("secret-of-node-" + std::to_string(i));
    REQUIRE(s);
    CHECK(*s == "secret-of-the-leader");
  }
}

TEST_CASE("replicated store: a follower refuses writes and names the leader") {
  replicated_cluster c;
  int leader = c.leader();
  REQUIRE(leader >= 0);
  int follower = (leader + 1) % 3;
  auto refused = append(*c.backend(follower).messages(queue_a, 0), 1, 3);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == st::store_errc::not_leader);
  CHECK(refused.error().leader_id == c.slots[leader].config.raft.id);
  CHECK(refused.error().leader_address == c.slots[leader].config.raft.address);
  CHECK(refused.error().message.find(c.slots[leader].config.raft.address) != std::string::npos);
  auto meta = write_and_wait([&](st::write_callback done) {
    c.backend(follower).meta().apply(create_queue(queue_a, "a", 1), done);
  });
  REQUIRE_FALSE(meta);
  CHECK(meta.error().code == st::store_errc::not_leader);
  // Nothing was written anywhere.
  CHECK(shard_text(c.backend(follower), queue_a, 0) == "cold=0 last=0");
  CHECK(meta_text(c.backend(leader)).empty());
  // Without a stored secret a follower cannot make one up.
  auto secret = c.backend(follower).meta().lease_secret("made-up");
  REQUIRE_FALSE(secret);
  CHECK(secret.error().code == st::store_errc::not_leader);
}

TEST_CASE("replicated store: no write is acknowledged without a majority") {
  replicated_cluster c;
  int leader = c.leader();
  REQUIRE(leader >= 0);
  auto store = c.backend(leader).messages(queue_a, 0);
  REQUIRE(append(*store, 1, 2));
  c.stop((leader + 1) % 3);
  c.stop((leader + 2) % 3);
  std::atomic<int> outcome{0}; // 0: pending, 1: ok, 2: failed
  store->append(messages(2, 3), [&](st::expected<st::applied> r) { outcome = r ? 1 : 2; });
  std::this_thread::sleep_for(1500ms);
  CHECK(outcome != 1);
  c.start((leader + 1) % 3);
  c.start((leader + 2) % 3);
  REQUIRE(eventually([&] { return outcome != 0; }, 15000ms));
  // Whatever the outcome, the replicas agree. A write through the leader
  // commits everything before it: until then the leader's own applied index
  // may still lag the entry whose outcome was reported as unknown.
  int now = c.leader();
  REQUIRE(now >= 0);
  auto barrier = write_and_wait([&](st::write_callback done) {
    c.backend(now).meta().apply(create_queue(queue_b, "b", 1), done);
  });
  REQUIRE(barrier);
  REQUIRE(c.applied_everywhere(barrier->index));
  check_same_everywhere(c, {queue_a});
}

TEST_CASE("replicated store: the leader stops mid-stream, the new one serves, nothing acknowledged "
          "is lost") {
  replicated_cluster c;
  int old_leader = c.leader();
  REQUIRE(old_leader >= 0);
  std::mutex mtx;
  std::set<uint64_t> acknowledged; // first seq of each acknowledged batch
  int failed = 0;
  auto record = [&](uint64_t seq) {
    return [&, seq](st::expected<st::applied> r) {
      std::lock_guard<std::mutex> guard{mtx};
      if (r)
        acknowledged.insert(seq);
      else {
        CHECK((r.error().code == st::store_errc::closed
               || r.error().code == st::store_errc::unknown_outcome));
        ++failed;
      }
    };
  };
  {
    auto store = c.backend(old_leader).messages(queue_a, 0);
    for (uint64_t seq = 1; seq <= 100; seq += 2) // the first half one by one
      REQUIRE(write_and_wait(
          [&](st::write_callback done) { store->append(messages(seq, seq + 2), done); }));
    for (uint64_t seq = 1; seq <= 100; seq += 2)
      acknowledged.insert(seq);
    // The rest streams in from another thread while the leader stops: some
    // are acknowledged, some in flight, some refused.
    std::thread stream{[&] {
      for (uint64_t seq = 101; seq <= 200; seq += 2) {
        store->append(messages(seq, seq + 2), record(seq));
        std::this_thread::sleep_for(2ms);
      }
    }};
    std::this_thread::sleep_for(40ms);
    c.backend(old_leader).stop();
    stream.join();
    c.stop(old_leader);
  }
  int leader = c.leader();
  REQUIRE(leader >= 0);
  REQUIRE(leader != old_leader);
  auto store = c.backend(leader).messages(queue_a, 0);
  for (uint64_t seq = 201; seq <= 240; seq += 2) {
    auto r = append(*store, seq, seq + 2);
    REQUIRE(r);
    acknowledged.insert(seq);
  }
  c.start(old_leader); // catches up from the new leader's log
  REQUIRE(c.applied_everywhere(c.backend(leader).applied_index(), 15000ms));
  check_same_everywhere(c, {queue_a});
  for (size_t i = 0; i < 3; ++i) {
    auto text = ";" + shard_text(c.backend(i), queue_a, 0);
    for (auto seq : acknowledged) {
      INFO("replica " << i << ", seq " << seq);
      auto entry = ";" + std::to_string(seq) + ":message " + std::to_string(seq) + ":";
      CHECK(text.find(entry) != std::string::npos);
    }
  }
  std::lock_guard<std::mutex> guard{mtx};
  WARN("in flight when the leader stopped: " << (50 - failed) << " of 50 acknowledged, " << failed
                                             << " failed");
}

TEST_CASE(
    "replicated store: a restarted node recovers its applied index and applies nothing twice") {
  replicated_cluster c;
  int leader = c.leader();
  REQUIRE(leader >= 0);
  auto store = c.backend(leader).messages(queue_a, 0);
  for (uint64_t seq = 1; seq <= 40; seq += 4)
    REQUIRE(append(*store, seq, seq + 4));
  uint64_t index = c.backend(leader).applied_index();
  REQUIRE(c.applied_everywhere(index));
  size_t follower = static_cast<size_t>((leader + 1) % 3);
  c.stop(follower);
  c.start(follower);
  CHECK(c.backend(follower).applied_index() == index); // read back from RocksDB
  // Raft replays its log into the store: every entry is already held.
  REQUIRE(eventually([&] { return c.backend(follower).status().replays_skipped > 0; }));
  CHECK(c.backend(follower).entries_applied() == 0);
  // Writes it missed while down are applied once, after the ones it held.
  c.stop(follower);
  for (uint64_t seq = 41; seq <= 60; seq += 4)
    REQUIRE(append(*store, seq, seq + 4));
  uint64_t later = c.backend(leader).applied_index();
  c.start(follower);
  CHECK(c.backend(follower).applied_index() >= index);
  REQUIRE(c.applied_everywhere(later));
  CHECK(c.backend(follower).entries_applied() <= later - index);
  CHECK(c.backend(follower).entries_applied() >= 5);
  check_same_everywhere(c, {queue_a});
}

TEST_CASE("replicated store: concurrent appends share entries (throughput print)") {
  replicated_cluster c;
  int leader = c.leader();
  REQUIRE(leader >= 0);
  auto store = c.backend(leader).messages(queue_a, 0);
  constexpr uint64_t writes = 2000, per_write = 10;
  std::atomic<uint64_t> ok{0}, done{0};
  auto start = std::chrono::steady_clock::now();
  for (uint64_t w = 0; w < writes; ++w)
    store->append(messages(w * per_write + 1, (w + 1) * per_write + 1),
                  [&](st::expected<st::applied> r) {
                    if (r)
                      ++ok;
                    ++done;
                  });
  REQUIRE(eventually([&] { return done == writes; }, 60000ms));
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(ok == writes);
  auto status = c.backend(leader).status();
  CHECK(status.entries_submitted < writes); // packed, not one entry per write
  WARN(writes << " appends of " << per_write << " messages (bodies of ~12 B) in " << seconds
              << " s: " << static_cast<uint64_t>(writes * per_write / seconds) << " messages/s, "
              << status.entries_submitted << " raft entries");
  REQUIRE(c.applied_everywhere(c.backend(leader).applied_index()));
  check_same_everywhere(c, {queue_a});
}
