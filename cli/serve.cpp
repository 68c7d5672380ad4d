#include "cli/serve.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/control/hub.hpp"
#include "actors/node/start_hub.hpp"
#include "actors/plugins/builtin/builtin_plugins.hpp"
#include "actors/plugins/host/plugin_host.hpp"
#include "actors/type_ids.hpp"
#include "cli/cluster_node.hpp"
#include "cli/cluster_options.hpp"
#include "cli/data_dir.hpp"
#include "cli/descriptors.hpp"
#include "cli/disk_space.hpp"
#include "cli/logging.hpp"
#include "http/api.hpp"
#include "http/cluster/checkpoint_server.hpp"
#include "http/cluster/forwarder.hpp"
#include "http/cluster/gateway.hpp"
#include "http/cluster/remote_checkpoints.hpp"
#include "http/outbound_policy.hpp"
#include "http/reply_sink.hpp"
#include "http/server.hpp"
#include "http/tls.hpp"
#include "http/url.hpp"
#include "metrics/registry.hpp"
#include "storage/rocksdb/rocksdb_backend.hpp"

namespace sluice::cli {

namespace {

/// Blocks until the hub has run its start-up (spawned coordinators, published
/// its tokens): a request served before would see no tokens and get a 401.
void await_started(caf::actor_system& sys, const hub_actor& hub) {
  caf::scoped_actor self{sys};
  self->request(hub, caf::infinite, list_queues{})
      .receive([](const queue_list&) {}, [](const caf::error&) {});
}

/// The shortest SLUICE_BOOTSTRAP_TOKEN accepted on a non-loopback listener.
constexpr size_t min_bootstrap_token_chars = 32;

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

} // namespace

int serve(const serve_options& opts) {
  // A closed stdout (e.g. a supervisor that stopped reading) must not kill the
  // server; sockets already use MSG_NOSIGNAL.
  std::signal(SIGPIPE, SIG_IGN);
  // Memory: jemalloc with two arenas and a one-second decay (cli/allocator.cpp).
  // Logs go to stderr; stdout carries only what a script reads (the address
  // it listens on, a first start's admin token).
  if (auto err = set_up_logging(opts.log_format, opts.log_level); !err.empty()) {
    std::cerr << "error: " << err << "\n";
    return 2;
  }
  if (!opts.plugin_dir.empty() && !std::filesystem::is_directory(opts.plugin_dir)) {
    spdlog::error("--plugin-dir {} is not a directory; create it or leave the flag out (webhook "
                  "and file-sink are built in)",
                  opts.plugin_dir);
    return 2;
  }
  http::server_options http_opts;
  if (!http::split_host_port(opts.listen, http_opts.host, http_opts.port)) {
    spdlog::error("--listen must be HOST:PORT, got '{}'", opts.listen);
    return 2;
  }
  if (opts.dev && !is_loopback(http_opts.host)) {
    spdlog::error("--dev disables authentication and is only allowed on a loopback "
                  "address, not '{}'",
                  http_opts.host);
    return 2;
  }
  if (opts.tls_cert.empty() != opts.tls_key.empty()) {
    spdlog::error("--tls-cert and --tls-key go together: give both to serve HTTPS, or "
                  "neither for plain HTTP");
    return 2;
  }
  if (!opts.tls_cert.empty()) {
    std::string why;
    http_opts.tls = http::tls_config::load(opts.tls_cert, opts.tls_key, why);
    if (!http_opts.tls) {
      spdlog::error("{}", why);
      return 2;
    }
  } else if (!is_loopback(http_opts.host)) {
    spdlog::warn("serving plain HTTP on {}: API tokens and messages cross the network in "
                 "clear; give --tls-cert and --tls-key, or put a TLS proxy in front",
                 http_opts.host);
  }
  const char* bootstrap = std::getenv("SLUICE_BOOTSTRAP_TOKEN");
  if (bootstrap != nullptr && std::strlen(bootstrap) < min_bootstrap_token_chars) {
    // A short admin secret is guessable; on a loopback listener only local
    // processes can try, so test and benchmark set-ups may keep theirs.
    if (!is_loopback(http_opts.host)) {
      spdlog::error("SLUICE_BOOTSTRAP_TOKEN has {} characters; use at least {} (for example "
                    "the output of 'head -c 24 /dev/urandom | base64')",
                    std::strlen(bootstrap), min_bootstrap_token_chars);
      return 2;
    }
    spdlog::warn("SLUICE_BOOTSTRAP_TOKEN has {} characters, fewer than {}: accepted only "
                 "because {} is a loopback address",
                 std::strlen(bootstrap), min_bootstrap_token_chars, http_opts.host);
  }
  const bool clustered = opts.node_id != 0;
  storage::replicated_config cluster_cfg;
  if (!clustered && (!opts.raft_listen.empty() || !opts.initial_members.empty())) {
    spdlog::error("--raft-listen and --initial-members belong to cluster mode: give --node-id "
                  "too (docs/cluster.md), or leave them out for a single node");
    return 2;
  }
  if (clustered)
    if (auto err = cluster_config(opts, cluster_cfg); !err.empty()) {
      spdlog::error("{}", err);
      return 2;
    }
  http_opts.threads = std::max(1u, opts.http_threads);
  http_opts.max_body_bytes = opts.max_request_bytes;
  http_opts.max_inflight_bytes = opts.max_inflight_bytes;
  http_opts.max_key_inflight_bytes = opts.max_queue_inflight_bytes;
  http_opts.budget_key = &http::send_budget_key;
  auto nofile = raise_descriptor_limit();
  http_opts.max_connections =
      opts.max_connections != 0 ? opts.max_connections : default_max_connections(nofile);
  http_opts.header_timeout = std::chrono::seconds(std::max(1u, opts.header_timeout_s));
  if (http_opts.max_connections + 64 > nofile)
    spdlog::warn("--max-connections {} leaves fewer than 64 of the {} descriptors (ulimit -n) "
                 "for the data files, plugins and webhooks; lower it or raise the limit",
                 http_opts.max_connections, nofile);

  if (auto err = prepare_data_dir(opts.data_dir); !err.empty()) {
    spdlog::error("{}", err);
    return 1;
  }
  auto reserve = reserve_to_start(opts.data_dir, opts.min_free_bytes);
  // Opened once the actor system runs (a node catching up from a peer's
  // checkpoint reaches it through the system while it opens); declared here
  // to outlive the system, whose actors use them until it is gone.
  std::unique_ptr<storage::backend> stores;
  storage::rocksdb_backend* local = nullptr;
  storage::replicated_backend* replicated = nullptr;
  auto role_changes = std::make_shared<role_signal>();
  std::unique_ptr<http::remote_checkpoints> peer_checkpoints;
  if (clustered) {
    http::remote_checkpoints_config rc;
    rc.self_id = cluster_cfg.raft.id;
    rc.members = cluster_cfg.raft.initial_members;
    peer_checkpoints = std::make_unique<http::remote_checkpoints>(std::move(rc));
    cluster_cfg.catch_up.source = peer_checkpoints->factory();
  }

  try {
    auto root = opts.sink_root.empty() ? opts.data_dir + "/sinks" : opts.sink_root;
    http::outbound_policy::install(
        std::make_shared<http::outbound_policy>(opts.webhook_allow, root));
    std::error_code ec;
    std::filesystem::create_directories(root, ec);
    if (ec) {
      spdlog::error("cannot create the sink root {} (--sink-root): {}", root, ec.message());
      return 1;
    }
  } catch (const std::invalid_argument& e) {
    spdlog::error("{}", e.what());
    return 2;
  }

  plugin_host_config pc;
  pc.dir = opts.plugin_dir;
  pc.threads = opts.plugin_threads;
  pc.default_limit = std::chrono::seconds(opts.plugin_timeout_s);
  pc.shutdown_grace = std::chrono::seconds(opts.shutdown_grace_s);
  pc.builtins = builtin_plugins();
  pc.deploy_checks = builtin_deploy_checks();
  auto plugins = std::make_shared<plugin_host>(std::move(pc));
  metrics::registry metrics;
  std::unique_ptr<storage::space_guard> space;
  std::atomic<bool> draining{false};
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
    if (clustered) {
      // Nodes forward requests over CAF's middleman. Its failure detection is
      // off by default (a silent partition would never be noticed): a
      // heartbeat every 200 ms and a 1 s time-out notice a dead or cut-off
      // peer within about a second.
      cfg.load<caf::io::middleman>();
      cfg.set("middleman.heartbeat-interval", caf::timespan{std::chrono::milliseconds(200)});
      cfg.set("middleman.connection-timeout", caf::timespan{std::chrono::seconds(1)});
    }
    caf::actor_system sys{cfg};
    // Raft's thread may ask peers for a checkpoint through `sys` until the
    // store stops (after `sys` is gone): detached before `sys` ends.
    struct detach_on_exit {
      http::remote_checkpoints* p;
      ~detach_on_exit() {
        if (p != nullptr)
          p->detach();
      }
    } detach_checkpoints{peer_checkpoints.get()};
    if (peer_checkpoints)
      peer_checkpoints->attach(sys);
    // One node: the embedded store. Cluster mode: the same store under a raft
    // node that replicates every write (docs/cluster.md).
    if (clustered) {
      auto opened = storage::replicated_backend::open(
          cluster_cfg,
          [role_changes](const storage::raft::node_status&) { role_changes->notify(); });
      if (!opened) {
        spdlog::error("{}", opened.error().message);
        return 1;
      }
      replicated = opened->get();
      local = &replicated->local();
      stores = std::move(*opened);
      spdlog::info("cluster: node {} started raft on {}", opts.node_id, opts.raft_listen);
    } else {
      storage::store_error open_error;
      auto single = storage::rocksdb_backend::open(
          opts.data_dir, storage::rocksdb_backend::mode::threaded, open_error);
      if (!single) {
        spdlog::error("{}", open_error.message);
        return 1;
      }
      local = single.get();
      stores = std::move(single);
    }
    space = watch_disk_space(opts.data_dir, opts.min_free_bytes, reserve, *local, metrics);
    auto tokens = std::make_shared<token_directory>();
    auto queues = std::make_shared<queue_directory>();
    hub_options ho;
    ho.window = opts.shard_window;
    ho.bootstrap_admin = !opts.dev;
    if (bootstrap != nullptr)
      ho.bootstrap_secret = bootstrap;
    ho.plugins = plugins;
    ho.metrics = &metrics;
    ho.tokens = tokens;
    ho.queues = queues;
    ho.space = space.get();
    // The port is bound before the hub starts: a start that cannot listen
    // stops here, before a first start mints (and prints) the admin token.
    http::auth_limiter auth_limits;
    http::api_context ctx;
    ctx.auth_limits = &auth_limits;
    ctx.tokens = tokens.get();
    ctx.queues = queues.get();
    ctx.metrics = &metrics;
    ctx.plugins = plugins.get();
    ctx.dev_mode = opts.dev;
    ctx.draining = &draining;
    http::router routes;
    http::add_all_routes(routes, ctx);
    http::server srv{routes, &metrics, http_opts};
    // After the server: it ends first, while the server's event loops (which
    // the replies' callbacks post to) still exist.
    http::reply_sink replies{sys};
    ctx.replies = &replies;
    if (auto err = srv.listen(); !err.empty()) {
      spdlog::error("{}", err);
      return 1;
    }
    hub_actor hub_handle;
    std::unique_ptr<cluster_node> cluster;
    std::unique_ptr<http::cluster_gate> gate;
    forwarder_actor forwarder;
    gateway_actor gateway;
    checkpoint_server_actor checkpoint_server;
    if (clustered) {
      auto pending = std::make_shared<http::pending_forwards>();
      forwarder = http::spawn_forwarder(sys, {pending, {}});
      gate = std::make_unique<http::cluster_gate>(forwarder, pending);
      routes.set_gate([g = gate.get()](http::request& req, http::responder& reply) {
        return g->take(req, reply);
      });
      checkpoint_server = http::spawn_checkpoint_server(sys, replicated->checkpoints());
      gateway = http::spawn_gateway(sys, routes, *gate, checkpoint_server);
      std::string raft_host;
      uint16_t raft_port = 0;
      http::split_host_port(opts.raft_listen, raft_host, raft_port);
      auto forward_port = static_cast<uint16_t>(raft_port + 1);
      auto published = sys.middleman().publish(gateway, forward_port, raft_host.c_str(), true);
      if (!published) {
        spdlog::error("cannot listen for forwarded requests on {}:{} (--raft-listen port + 1): {}",
                      raft_host, forward_port, sys.render(published.error()));
        caf::anon_send_exit(forwarder, caf::exit_reason::user_shutdown);
        caf::anon_send_exit(gateway, caf::exit_reason::user_shutdown);
        caf::anon_send_exit(checkpoint_server, caf::exit_reason::user_shutdown);
        return 1;
      }
      cluster_node_config cc;
      cc.sys = &sys;
      cc.stores = replicated;
      cc.hub = std::move(ho);
      cc.ctx = &ctx;
      cc.gate = gate.get();
      cc.forwarder = forwarder;
      cc.signal = role_changes;
      cluster = std::make_unique<cluster_node>(std::move(cc));
      ctx.cluster = cluster.get();
      cluster->start();
      spdlog::info("cluster: node {} forwards requests on {}:{}", opts.node_id, raft_host,
                   forward_port);
    } else {
      auto started = start_hub(sys, *stores, std::move(ho));
      if (!started) {
        spdlog::error("{} (data directory {})", started.error().message, opts.data_dir);
        return 1;
      }
      if (!started->admin_secret_to_print.empty())
        std::cout << "admin token (shown once, store it now): " << started->admin_secret_to_print
                  << std::endl;
      spdlog::info("recovered {} queue{} and {} token{} from {}; their messages load in the "
                   "background",
                   started->queues, started->queues == 1 ? "" : "s", started->tokens,
                   started->tokens == 1 ? "" : "s", opts.data_dir);
      hub_handle = started->hub;
      await_started(sys, hub_handle);
      // Connections wait in the listen backlog until `run`; no request is
      // served before the hub is set.
      ctx.hub.set(hub_handle);
    }
    if (opts.dev)
      spdlog::warn("--dev: authentication is disabled");
    srv.stop_on_signals(
        [&draining, queues] {
          spdlog::info("signal received: draining in-flight requests");
          draining = true;
          // Waiting long polls answer now (empty) instead of holding the drain.
          for (const auto& c : queues->all())
            caf::anon_send(c, release_waiting_pulls{});
        },
        std::chrono::seconds(opts.shutdown_grace_s));
    spdlog::info("accepting at most {} connections (descriptor limit {})",
                 http_opts.max_connections, nofile);
    // A URL one can paste: an IPv6 host goes in brackets (http://[::1]:8787).
    const bool v6 = http_opts.host.find(':') != std::string::npos;
    std::cout << "listening on " << (http_opts.tls ? "https://" : "http://")
              << (v6 ? "[" + http_opts.host + "]" : http_opts.host) << ":" << srv.port()
              << std::endl;
    srv.run();
    if (cluster) {
      cluster->stop();
      caf::anon_send_exit(forwarder, caf::exit_reason::user_shutdown);
      caf::anon_send_exit(gateway, caf::exit_reason::user_shutdown);
      caf::anon_send_exit(checkpoint_server, caf::exit_reason::user_shutdown);
      // They use the gate, the routes and the store, which end with this scope.
      caf::scoped_actor self{sys};
      self->wait_for(forwarder, gateway, checkpoint_server);
    } else {
      caf::anon_send_exit(hub_handle, caf::exit_reason::user_shutdown);
    }
    // Running handlers get the grace, then fail; their messages come back
    // when their leases expire (at the next start at the latest).
    plugins->shutdown();
    // ~actor_system waits for every actor; metadata writes still in flight
    // complete through the writer, which outlives the system.
  }
  stores->stop();
  spdlog::info("stopped cleanly");
  return 0;
}

} // namespace sluice::cli
