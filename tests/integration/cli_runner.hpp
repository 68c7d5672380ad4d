#pragma once

#include <string>
#include <vector>

#include "server_process.hpp"

namespace sluice::test {

/// What one run of the `sluice` binary did.
struct cli_result {
  int exit_code = -1; ///< -1 when a signal ended it
  std::string out;
  std::string err;
};

/// `s` single-quoted for /bin/sh.
std::string shell_quoted(const std::string& s);

/// Runs `sluice ARGS` with only `env` (NAME=value words) in its environment and
/// `input` on stdin; blocks until it exits.
cli_result run_cli(const std::string& env, const std::vector<std::string>& args,
                   const std::string& input = {});

/// The CLI as one account of `srv`, configured through SLUICE_* variables.
struct cli {
  const server_process& srv;
  std::string account = "cli-acct";
  std::string token = srv.token();

  std::string env() const;
  cli_result operator()(std::vector<std::string> args, const std::string& input = {}) const;
  /// Runs a command that must succeed (a Catch2 REQUIRE) and returns its stdout.
  std::string ok(std::vector<std::string> args, const std::string& input = {}) const;
};

/// True when `part` occurs in `text`.
bool has(const std::string& text, const std::string& part);

} // namespace sluice::test
