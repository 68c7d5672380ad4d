#pragma once

#include "cli/remote.hpp"

namespace CLI {
class App;
} // namespace CLI

namespace sluice::cli {

/// `sluice queues …`: wrangler's queue commands, same arguments and flags.
void add_queues_commands(CLI::App& app, remote_options& remote);

/// `sluice send`, `sluice pull`, `sluice peek`, `sluice ack`.
void add_message_commands(CLI::App& app, remote_options& remote);

/// `sluice queues subscription …` (after `add_queues_commands`) and
/// `sluice events publish`.
void add_event_commands(CLI::App& app, remote_options& remote);

/// `sluice tokens create|list|revoke`.
void add_token_commands(CLI::App& app, remote_options& remote);

/// `sluice scripts deploy|list|delete|plugins`.
void add_script_commands(CLI::App& app, remote_options& remote);

/// `sluice queues redrive|redrive-status|redrive-cancel` (after `add_queues_commands`).
void add_redrive_commands(CLI::App& app, remote_options& remote);

/// `sluice audit list`.
void add_audit_commands(CLI::App& app, remote_options& remote);

/// `sluice cluster status|add|remove`; returns the `cluster` command.
CLI::App* add_cluster_commands(CLI::App& app, remote_options& remote);
/// `sluice cluster digest DATA_DIR [--families]`: opens a node's store read-only
/// (DATA_DIR/store if it exists, else DATA_DIR) and prints `applied INDEX digest
/// HEX` (storage/rocksdb/digest.hpp); needs no server. Adds `cluster` to `app`
/// unless it has one already, and returns it so other `cluster` commands can join.
CLI::App& add_cluster_digest_command(CLI::App& app);

} // namespace sluice::cli
