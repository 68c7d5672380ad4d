#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <caf/send.hpp>

#include "actor_fixture.hpp"
#include "actors/control/hub.hpp"
#include "actors/errc.hpp"
#include "actors/node/start_hub.hpp"
#include "storage/rocksdb/rocksdb_backend.hpp"
#include "tests/temp_dir.hpp"

namespace sluice::test {

/// A hub on the deterministic scheduler, persisting through a real RocksDB in
/// a temp dir with the writer in inline mode (commits on the calling thread).
/// `clock` is the virtual wall clock; `advance` moves it together with CAF's
/// timer clock. `stop(); start();` is a restart that recovers from disk.
struct hub_fixture : actor_fixture {
  temp_dir dir;
  /// The stores the hub runs on: RocksDB in `dir` with inline I/O (writes
  /// commit on the calling thread), unless a test sets `backend_override`
  /// (a memory or fault-injecting backend) before `start()`.
  std::unique_ptr<storage::rocksdb_backend> rocksdb;
  storage::backend* backend_override = nullptr;
  size_t window = 10000;                            ///< set before `start()` to test paging
  size_t audit_retention = default_audit_retention; ///< set before `start()` to test trimming
  std::string node_id = "local"; ///< set before `start()`: names the node in shard maps
  int64_t clock = 1'000'000;
  hub_actor hub;
  /// What the hub publishes for HTTP authentication.
  std::shared_ptr<token_directory> tokens = std::make_shared<token_directory>();
  /// Where the hub publishes each queue's coordinator (the data path).
  std::shared_ptr<queue_directory> queues = std::make_shared<queue_directory>();
  /// Runs worker consumers' plugins inline (on the consumer shard's thread, so the
  /// deterministic scheduler sees every message): the test-only plugins.
  std::shared_ptr<plugin_host> plugins = std::make_shared<plugin_host>(inline_plugins());
  /// Every queue's metrics (docs/operations.md), read with `sample(registry.expose(), …)`.
  metrics::registry registry;

  static plugin_host_config inline_plugins() {
    plugin_host_config c;
#ifdef SLUICE_TEST_ONLY_PLUGIN_DIR
    c.dir = SLUICE_TEST_ONLY_PLUGIN_DIR;
#endif
    c.inline_run = true;
    return c;
  }

  /// `stores`: the backend to run on instead of RocksDB (null: RocksDB).
  explicit hub_fixture(storage::backend* stores = nullptr) : backend_override(stores) {
    start();
  }

  ~hub_fixture() override {
    stop();
  }

  /// The backend the hub uses now.
  storage::backend& stores() {
    return backend_override != nullptr ? *backend_override : *rocksdb;
  }

  void start() {
    if (backend_override == nullptr) {
      storage::store_error err;
      rocksdb = storage::rocksdb_backend::open(dir.path(),
                                               storage::rocksdb_backend::mode::inline_io, err);
      REQUIRE(rocksdb);
    }
    hub_options opts;
    opts.window = window;
    opts.audit_retention = audit_retention;
    opts.bootstrap_admin = false;
    opts.lease_secret = "unit-test-secret";
    opts.plugins = plugins;
    opts.metrics = &registry;
    opts.tokens = tokens;
    opts.queues = queues;
    opts.now_ms = [this] { return clock; };
    opts.node_id = node_id;
    auto started = start_hub(sys(), stores(), std::move(opts));
    REQUIRE(started);
    hub = started->hub;
    run();
  }

  void stop() {
    caf::anon_send_exit(hub, caf::exit_reason::user_shutdown);
    run();
    rocksdb.reset();
  }

  /// Moves virtual time forward by `ms` and runs what became due.
  void advance(int64_t ms) {
    clock += ms;
    sched().advance_time(std::chrono::milliseconds(ms));
    run();
  }

  /// Asks the coordinator of `msg.queue_id` as the HTTP layer does: found in
  /// the directory the hub publishes, `queue_not_found` if not there.
  template <class R, class Msg>
  caf::expected<R> ask_queue(Msg msg) {
    auto c = queues->find(msg.account, msg.queue_id);
    if (!c)
      return queue_not_found(msg.queue_id);
    return ask<R>(*c, std::move(msg));
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
