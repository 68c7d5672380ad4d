#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include <simdjson.h>

#include "http/client.hpp"

namespace CLI {
class App;
} // namespace CLI

namespace sluice::cli {

/// Something to tell the user and exit non-zero: the server's error message,
/// a connection failure, a missing setting.
struct cli_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Where and as whom client commands talk to a server. Each comes from its
/// flag, else `SLUICE_URL` / `SLUICE_TOKEN` / `SLUICE_ACCOUNT`, else wrangler's
/// `CLOUDFLARE_API_BASE_URL` / `CLOUDFLARE_API_TOKEN` / `CLOUDFLARE_ACCOUNT_ID`.
struct remote_options {
  std::string url;
  std::string token;
  std::string account;
  std::string ca_cert; ///< for https://: a PEM CA file (else `SLUICE_CA_CERT`) besides the system's
  bool json = false;   ///< print the API's `result` as JSON instead of tables
};

/// Adds `--url`, `--token`, `--account`, `--ca-cert` and `--json` to `cmd` (inherited by
/// its subcommands through CLI11's fallthrough).
void add_remote_options(CLI::App& cmd, remote_options& o);

/// One keep-alive session with the v4 API of one account. Every call checks
/// the envelope and throws `cli_error` with the server's own message.
class remote {
public:
  /// `needs_account` false: for calls outside any account (`call_root`).
  explicit remote(const remote_options& o, bool needs_account = true);

  /// `path` is relative to `/client/v4/accounts/{account}` ("" or "/queues...").
  /// Returns the envelope's `result`, valid until the next call.
  simdjson::dom::element call(const std::string& method, const std::string& path,
                              const std::string& body = {});

  /// As `call`, with `path` relative to `/client/v4` ("/cluster").
  simdjson::dom::element call_root(const std::string& method, const std::string& path,
                                   const std::string& body = {});

  /// The id of queue `name_or_id` (a name is looked up the way wrangler does:
  /// `GET /queues?name=`); throws if there is no such queue.
  std::string queue_id(const std::string& name_or_id);

private:
  std::unique_ptr<http::client> client_;
  simdjson::dom::element send(const std::string& method, const std::string& target,
                              const std::string& body);

  std::string v4_path_;
  std::string base_path_;
  std::string token_;
  std::string account_;
  simdjson::dom::parser parser_;
};

} // namespace sluice::cli
