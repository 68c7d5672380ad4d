#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <caf/send.hpp>

#include "actor_fixture.hpp"
#include "actors/errc.hpp"
#include "actors/hub.hpp"
#include "storage/recovery.hpp"
#include "tests/temp_dir.hpp"

namespace sluice::test {

/// A hub on the deterministic scheduler, persisting through a real RocksDB in
/// a temp dir with the writer in inline mode (commits on the calling thread).
/// `clock` is the virtual wall clock; `advance` moves it together with CAF's
/// timer clock. `stop(); start();` is a restart that recovers from disk.
struct hub_fixture : actor_fixture {
  temp_dir dir;
  std::unique_ptr<storage::db> db;
  std::unique_ptr<storage::writer> writer;
  storage::io_thread reader{storage::io_thread::mode::inline_run};
  size_t window = 10000;                            ///< set before `start()` to test paging
  size_t audit_retention = default_audit_retention; ///< set before `start()` to test trimming
  int64_t clock = 1'000'000;
  hub_actor hub;
  /// What the hub publishes for HTTP authentication.
  std::shared_ptr<token_directory> tokens = std::make_shared<token_directory>();
  /// Runs worker consumers' plugins inline (on the consumer shard's thread, so the
  /// deterministic scheduler sees every message): the test-only plugins.
  std::shared_ptr<plugin_host> plugins = std::make_shared<plugin_host>(inline_plugins());
  /// Every queue's metrics (SPEC §6), read with `sample(registry.expose(), …)`.
  metrics::registry registry;

  static plugin_host_config inline_plugins() {
    plugin_host_config c;
#ifdef SLUICE_TEST_ONLY_PLUGIN_DIR
    c.dir = SLUICE_TEST_ONLY_PLUGIN_DIR;
#endif
    c.inline_run = true;
    return c;
  }

  hub_fixture() {
    start();
  }

  ~hub_fixture() override {
    stop();
  }

  void start() {
    storage::status st;
    db = storage::db::open(dir.path(), st);
    REQUIRE(st.ok());
    writer = std::make_unique<storage::writer>(*db, storage::writer::mode::inline_commit);
    storage::meta_snapshot meta;
    REQUIRE(storage::load_meta(*db, meta).ok());
    hub_config cfg;
    cfg.env = storage_env{writer.get(), db.get(), &reader, window};
    for (const auto& q : meta.queues)
      REQUIRE(storage::load_messages(*db, q.id, window, cfg.messages[q.id]).ok());
    cfg.queues = std::move(meta.queues);
    cfg.tokens = std::move(meta.tokens);
    cfg.subscriptions = std::move(meta.subscriptions);
    cfg.scripts = std::move(meta.scripts);
    cfg.audit = std::move(meta.audit);
    cfg.audit_retention = audit_retention;
    cfg.plugins = plugins;
    cfg.leases = std::make_shared<const lease_codec>("unit-test-secret");
    cfg.directory = tokens;
    cfg.metrics = &registry;
    cfg.now_ms = [this] { return clock; };
    hub = sys().spawn(sluice::hub, std::move(cfg));
    run();
  }

  void stop() {
    caf::anon_send_exit(hub, caf::exit_reason::user_shutdown);
    run();
    writer.reset();
    db.reset();
  }

  /// Moves virtual time forward by `ms` and runs what became due.
  void advance(int64_t ms) {
    clock += ms;
    sched().advance_time(std::chrono::milliseconds(ms));
    run();
  }

  caf::expected<storage::queue_record> create(const std::string& name, settings_patch s = {},
                                              const std::string& account = "acct") {
    return ask<storage::queue_record>(hub, create_queue{account, name, s});
  }
};

inline errc code_of(const caf::error& e) {
  return error_code(e);
}

} // namespace sluice::test
