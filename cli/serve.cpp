#include "cli/serve.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "actors/crypto.hpp"
#include "actors/hub.hpp"
#include "actors/plugin_host.hpp"
#include "actors/tokens.hpp"
#include "actors/type_ids.hpp"
#include "examples/plugins/builtin/builtin_plugins.hpp"
#include "http/api.hpp"
#include "http/server.hpp"
#include "metrics/registry.hpp"
#include "storage/recovery.hpp"

namespace sluice::cli {

namespace {

/// Blocks until the hub has run its start-up (spawned coordinators, published
/// its tokens): a request served before would see no tokens and get a 401.
void await_started(caf::actor_system& sys, const hub_actor& hub) {
  caf::scoped_actor self{sys};
  self->request(hub, caf::infinite, list_queues{})
      .receive([](const queue_list&) {}, [](const caf::error&) {});
}

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

/// Splits "host:port" (IPv6 as "[::1]:port"). False if malformed.
bool split_listen(const std::string& s, std::string& host, uint16_t& port) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos || colon + 1 >= s.size())
    return false;
  host = s.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  try {
    auto p = std::stoul(s.substr(colon + 1));
    if (p > 65535)
      return false;
    port = static_cast<uint16_t>(p);
  } catch (const std::exception&) {
    return false;
  }
  return !host.empty();
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

/// Ensures the admin token of SPEC §8 exists; prints a newly generated secret
/// once. Runs before the actor system starts (blocking I/O is fine here).
bool bootstrap(storage::db& db, storage::meta_snapshot& meta) {
  const char* env = std::getenv("SLUICE_BOOTSTRAP_TOKEN");
  auto tok = bootstrap_token(meta.tokens, env != nullptr ? env : "", now_ms());
  if (!tok)
    return true;
  storage::batch b;
  b.put(storage::family::meta, storage::token_key(tok->record.hash), storage::encode(tok->record));
  if (auto st = db.write(b, true); !st.ok()) {
    spdlog::error("cannot store the admin token: {}", st.message());
    return false;
  }
  if (!tok->secret_to_print.empty())
    std::cout << "admin token (shown once, store it now): " << tok->secret_to_print << std::endl;
  meta.tokens.push_back(std::move(tok->record));
  return true;
}

/// The lease-signing secret of this data directory, created on first start.
bool lease_secret(storage::db& db, std::string& out) {
  storage::status st;
  if (auto v = db.get(storage::family::meta, storage::lease_secret_key, st); v) {
    out = *v;
    return true;
  }
  if (!st.ok()) {
    spdlog::error("cannot read the lease secret: {}", st.message());
    return false;
  }
  out = random_hex(32);
  storage::batch b;
  b.put(storage::family::meta, std::string{storage::lease_secret_key}, out);
  if (st = db.write(b, true); !st.ok()) {
    spdlog::error("cannot store the lease secret: {}", st.message());
    return false;
  }
  return true;
}

} // namespace

int serve(const serve_options& opts) {
  // A closed stdout (e.g. a supervisor that stopped reading) must not kill the
  // server; sockets already use MSG_NOSIGNAL.
  std::signal(SIGPIPE, SIG_IGN);
  // Logs go to stderr; stdout carries only what a script reads (the address
  // it listens on, a first start's admin token).
  spdlog::set_default_logger(spdlog::stderr_color_mt("sluice"));
  http::server_options http_opts;
  if (!split_listen(opts.listen, http_opts.host, http_opts.port)) {
    spdlog::error("--listen must be HOST:PORT, got '{}'", opts.listen);
    return 2;
  }
  if (opts.dev && !is_loopback(http_opts.host)) {
    spdlog::error("--dev disables authentication and is only allowed on a loopback "
                  "address, not '{}'",
                  http_opts.host);
    return 2;
  }
  http_opts.threads = std::max(1u, opts.http_threads);
  http_opts.max_body_bytes = opts.max_request_bytes;

  storage::status st;
  auto db = storage::db::open(opts.data_dir, st);
  if (!db) {
    spdlog::error("{}", st.message());
    return 1;
  }
  storage::meta_snapshot meta;
  if (st = storage::load_meta(*db, meta); !st.ok()) {
    spdlog::error("cannot recover metadata from {}: {}", opts.data_dir, st.message());
    return 1;
  }
  if (!opts.dev && !bootstrap(*db, meta))
    return 1;
  std::string secret;
  if (!lease_secret(*db, secret))
    return 1;
  hub_config hc;
  uint64_t recovered_messages = 0;
  for (const auto& q : meta.queues) {
    auto& by_shard = hc.messages[q.id];
    if (st = storage::load_messages(*db, q.id, opts.shard_window, by_shard); !st.ok()) {
      spdlog::error("cannot recover messages of queue {}: {}", q.id, st.message());
      return 1;
    }
    for (const auto& [shard, rec] : by_shard)
      recovered_messages += rec.loaded.size() + rec.cold_count;
  }
  spdlog::info("recovered {} queues, {} messages and {} tokens from {}", meta.queues.size(),
               recovered_messages, meta.tokens.size(), opts.data_dir);

  plugin_host_config pc;
  pc.dir = opts.plugin_dir;
  pc.threads = opts.plugin_threads;
  pc.default_limit = std::chrono::seconds(opts.plugin_timeout_s);
  pc.shutdown_grace = std::chrono::seconds(opts.shutdown_grace_s);
  pc.builtins = builtin_plugins();
  auto plugins = std::make_shared<plugin_host>(std::move(pc));
  storage::writer writer{*db};
  storage::io_thread reader;
  metrics::registry metrics;
  std::atomic<bool> draining{false};
  int rc = 0;
  {
    caf::actor_system_config cfg;
    add_message_types(cfg);
    cfg.set("scheduler.max-threads", static_cast<size_t>(std::max(1u, opts.actor_threads)));
    cfg.set("scheduler.max-throughput", static_cast<size_t>(300));
    // Idle workers spin briefly, then sleep on a condition variable that an
    // enqueue signals. CAF's default middle phase (sleep 50 us, poll, 500
    // times) costs a context switch per poll, which on 2 vCPUs ate a third
    // of the CPU under load and delayed each hop by the sleep.
    cfg.set("work-stealing.moderate-poll-attempts", static_cast<size_t>(0));
    caf::actor_system sys{cfg};
    hc.env = storage_env{&writer, db.get(), &reader, opts.shard_window};
    hc.leases = std::make_shared<const lease_codec>(secret);
    auto tokens = std::make_shared<token_directory>();
    hc.directory = tokens;
    hc.queues = std::move(meta.queues);
    hc.tokens = std::move(meta.tokens);
    hc.subscriptions = std::move(meta.subscriptions);
    hc.scripts = std::move(meta.scripts);
    hc.audit = std::move(meta.audit);
    hc.plugins = plugins;
    hc.metrics = &metrics;
    auto hub_handle = sys.spawn(hub, std::move(hc));
    await_started(sys, hub_handle);

    http::api_context ctx;
    ctx.sys = &sys;
    ctx.hub = hub_handle;
    ctx.tokens = tokens.get();
    ctx.metrics = &metrics;
    ctx.plugins = plugins.get();
    ctx.dev_mode = opts.dev;
    ctx.draining = &draining;
    http::router routes;
    http::add_all_routes(routes, ctx);
    http::server srv{routes, &metrics, http_opts};
    if (auto err = srv.listen(); !err.empty()) {
      spdlog::error("{}", err);
      rc = 1;
    } else {
      if (opts.dev)
        spdlog::warn("--dev: authentication is disabled");
      srv.stop_on_signals(
          [&draining] {
            spdlog::info("signal received: draining in-flight requests");
            draining = true;
          },
          std::chrono::seconds(opts.shutdown_grace_s));
      std::cout << "listening on http://" << http_opts.host << ":" << srv.port() << std::endl;
      srv.run();
    }
    caf::anon_send_exit(hub_handle, caf::exit_reason::user_shutdown);
    // Running handlers get the grace, then fail; their messages come back
    // when their leases expire (at the next start at the latest).
    plugins->shutdown();
    // ~actor_system waits for every actor; metadata writes still in flight
    // complete through the writer, which outlives the system.
  }
  reader.stop();
  writer.stop();
  spdlog::info("stopped cleanly");
  return rc;
}

} // namespace sluice::cli
