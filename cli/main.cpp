#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/completion.hpp"
#include "cli/serve.hpp"
#include "cli/suggest.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Sluice: a self-hosted, actor-model event hub with a "
               "Cloudflare-Queues-compatible API"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "sluice 0.1.0");
  // `sluice serve --config FILE`: the option belongs to the app and falls
  // through from the subcommand; the file holds a `[serve]` table.
  app.set_config("--config", "", "TOML file holding any flag (flags of 'serve' under [serve])");
  app.fallthrough();
  // A mistyped key in the config file (`datadir`) is an error naming it, not
  // silently ignored. Set before the subcommands, which inherit it.
  app.allow_config_extras(CLI::config_extras_mode::error);

  sluice::cli::serve_options serve;
  auto* cmd = app.add_subcommand("serve", "Run the server");
  cmd->add_option("--listen", serve.listen, "HOST:PORT to listen on (port 0: pick one)")
      ->capture_default_str();
  cmd->add_option("--data-dir", serve.data_dir, "Directory of the RocksDB data")
      ->capture_default_str();
  cmd->add_option("--plugin-dir", serve.plugin_dir,
                  "Directory of consumer plugins (<name>.so); webhook and file-sink are built in");
  cmd->add_option("--webhook-allow", serve.webhook_allow,
                  "Webhook destinations allowed beyond the defaults: networks (10.0.0.0/8), "
                  "addresses or host names (*.example.com); account-scoped admins may send "
                  "only to these (docs/plugins.md)")
      ->delimiter(',');
  cmd->add_option("--sink-root", serve.sink_root,
                  "Directory every file-sink DIR must be under (default: <data-dir>/sinks)");
  cmd->add_option("--plugin-threads", serve.plugin_threads,
                  "Threads that run blocking consumer plugins (their push invocations at once, all "
                  "queues; webhooks wait without one)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--plugin-timeout", serve.plugin_timeout_s,
                  "Seconds a push invocation may run before it counts as failed")
      ->capture_default_str()
      ->check(CLI::Range(1, 43200));
  cmd->add_flag("--dev", serve.dev, "Disable authentication (loopback addresses only)");
  cmd->add_option("--http-threads", serve.http_threads, "HTTP I/O threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd->add_option("--actor-threads", serve.actor_threads,
                  "CAF scheduler threads (default: half the cores, at least 1)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd->add_option("--max-request-bytes", serve.max_request_bytes,
                  "Largest accepted request body; larger ones get 413")
      ->capture_default_str();
  cmd->add_option("--max-inflight-bytes", serve.max_inflight_bytes,
                  "Request bodies held in memory at once; a request past it gets 429 with "
                  "Retry-After before its body is read")
      ->capture_default_str();
  cmd->add_option("--max-queue-inflight-bytes", serve.max_queue_inflight_bytes,
                  "The same for the sends of one queue, so that one busy queue cannot take "
                  "the whole budget")
      ->capture_default_str();
  cmd->add_option("--min-free-bytes", serve.min_free_bytes,
                  "Free bytes the data directory's disk keeps: below it new messages are "
                  "refused with 507 while acks, purges and reads go on")
      ->capture_default_str();
  cmd->add_option("--max-connections", serve.max_connections,
                  "Open connections at most; more are closed at once (0: the descriptor "
                  "limit less a reserve, see docs/operations.md)")
      ->capture_default_str();
  cmd->add_option("--header-timeout", serve.header_timeout_s,
                  "Seconds a connection may take to send a request's headers; an idle "
                  "keep-alive connection closes after this")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--shutdown-grace", serve.shutdown_grace_s,
                  "Seconds to let in-flight requests finish on SIGTERM")
      ->capture_default_str();

  cmd->add_option("--log-format", serve.log_format,
                  "text (one line per event) or json (one object per line); times in UTC")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--log-level", serve.log_level, "Least severe level written")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  cmd->add_option("--tls-cert", serve.tls_cert,
                  "PEM certificate (then any intermediates) to serve HTTPS with; needs --tls-key");
  cmd->add_option("--tls-key", serve.tls_key, "PEM private key of --tls-cert (unencrypted)");

  cmd->add_option("--node-id", serve.node_id,
                  "Run as node N of a cluster (docs/cluster.md); 0: a single node")
      ->capture_default_str();
  cmd->add_option("--raft-listen", serve.raft_listen,
                  "Cluster mode: HOST:PORT for raft traffic between nodes; requests are "
                  "forwarded between nodes on PORT+1");
  cmd->add_option("--initial-members", serve.initial_members,
                  "Cluster mode: 1=HOST:PORT,2=HOST:PORT,... (every node's --raft-listen), the "
                  "same on every node; used on a first start only. Leave out to start a node "
                  "that waits to be added with 'sluice cluster add'");
  cmd->add_option("--raft-snapshot-every", serve.raft_snapshot_every,
                  "Cluster mode: snapshot after this many applied entries (0: 2048)")
      ->group("")
      ->check(CLI::Range(0u, 1'000'000u));
  cmd->add_option("--shard-window", serve.shard_window,
                  "Messages each storage shard keeps in memory; the rest are paged from disk")
      ->capture_default_str()
      ->check(CLI::Range(16, 10'000'000));

  // Client commands: each talks to a server over HTTP (cli/remote.hpp).
  sluice::cli::remote_options remote;
  sluice::cli::add_queues_commands(app, remote);
  sluice::cli::add_redrive_commands(app, remote);
  sluice::cli::add_message_commands(app, remote);
  sluice::cli::add_event_commands(app, remote);
  sluice::cli::add_token_commands(app, remote);
  sluice::cli::add_script_commands(app, remote);
  sluice::cli::add_audit_commands(app, remote);
  sluice::cli::add_cluster_commands(app, remote);
  sluice::cli::add_cluster_digest_command(app);
  for (auto* client : app.get_subcommands([](CLI::App* c) { return c->get_name() != "serve"; }))
    sluice::cli::add_remote_options(*client, remote);
  // Last, so that the script it prints covers every command.
  sluice::cli::add_completion_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ConfigError& e) {
    // CLI11 says "INI was not able to parse serve.datadir": name the key.
    std::string what = e.what();
    auto at = what.rfind(' ');
    std::cerr << "error: unknown key '" << what.substr(at + 1)
              << "' in the config file (keys are the long flags of 'sluice serve --help', "
                 "without '--', under [serve])\n";
    return 2;
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" that exit 0; the rest are usage errors.
    if (e.get_exit_code() == 0)
      return app.exit(e);
    if (auto unknown = sluice::cli::unknown_word_message(app, argc, argv)) {
      std::cerr << "error: " << *unknown << "\n";
      return 2;
    }
    app.exit(e);
    return 2;
  } catch (const sluice::cli::cli_error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  if (cmd->parsed())
    return sluice::cli::serve(serve);
  return 0;
}
