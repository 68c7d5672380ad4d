#pragma once

#include <memory>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "http/client.hpp"

namespace sluice::test {

/// The real `sluice serve` as a child process on an ephemeral loopback port
/// with its own temp data dir (removed on destruction; `--data-dir` among
/// the extra arguments names another). Blocks until the
/// server prints its `listening on` line. Its stderr (the log) goes to
/// `stderr.log` in that dir. Not thread-safe.
class server_process {
public:
  /// `bootstrap_token` empty: start without SLUICE_BOOTSTRAP_TOKEN.
  explicit server_process(std::string bootstrap_token = "integration-token",
                          std::vector<std::string> extra_args = {});
  ~server_process();
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  uint16_t port() const { return port_; }
  /// True when the server said it listens on https:// (`--tls-cert`).
  bool tls() const { return tls_; }
  /// The running server's process id.
  pid_t pid() const { return child_ ? child_->pid() : -1; }
  const std::string& token() const { return token_; }
  const std::string& data_dir() const { return dir_; }
  /// What the server printed on stdout until it was ready, over every start.
  const std::string& stdout_text() const { return out_; }
  /// Everything the server logged so far (its stderr), over every start.
  std::string log() const;

  /// A fresh keep-alive client to the server (plain HTTP: for a TLS server,
  /// make an `http::client` with `http::client_tls`).
  std::unique_ptr<http::client> client() const;

  /// SIGTERM, then waits (SIGKILL after 30 s); returns the exit status (or -1
  /// if a signal ended it).
  int terminate();
  /// SIGKILL, then waits.
  void kill9();
  /// Starts again on the same data dir (new port).
  void restart();

private:
  void start();

  std::string token_;
  std::vector<std::string> args_;
  std::string dir_;
  std::string out_;
  std::unique_ptr<child_process> child_; ///< null while stopped
  uint16_t port_ = 0;
  bool tls_ = false;
};

/// Start attempts that must fail (e.g. `--dev` on a public address): runs
/// `sluice serve ARGS` with SLUICE_BOOTSTRAP_TOKEN set to `bootstrap_token`
/// and returns its exit status and what it printed.
run_result run_serve_expecting_exit(
    const std::vector<std::string>& args,
    const std::string& bootstrap_token = "bootstrap-token-of-forty-characters-long");

} // namespace sluice::test
