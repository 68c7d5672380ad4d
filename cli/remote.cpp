#include "cli/remote.hpp"

#include <cstdlib>
#include <regex>

#include <CLI/CLI.hpp>

#include "cli/output.hpp"
#include "http/tls.hpp"

namespace sluice::cli {

namespace {

std::string first_set(const std::string& flag, std::initializer_list<const char*> vars,
                      std::string fallback = {}) {
  if (!flag.empty())
    return flag;
  for (const char* v : vars)
    if (const char* value = std::getenv(v); value != nullptr && *value != '\0')
      return value;
  return fallback;
}

} // namespace

void add_remote_options(CLI::App& cmd, remote_options& o) {
  cmd.add_option("--url", o.url,
                 "Server URL, http://HOST:PORT or https://HOST:PORT (env SLUICE_URL or "
                 "CLOUDFLARE_API_BASE_URL; default http://127.0.0.1:8787)");
  cmd.add_option("--ca-cert", o.ca_cert,
                 "PEM file of CA certificates to trust for an https:// URL besides the "
                 "system's (env SLUICE_CA_CERT)");
  cmd.add_option("--token", o.token, "API token (env SLUICE_TOKEN or CLOUDFLARE_API_TOKEN)");
  cmd.add_option("--account", o.account,
                 "Account id (env SLUICE_ACCOUNT or CLOUDFLARE_ACCOUNT_ID)");
  cmd.add_flag("--json", o.json, "Print the API's result as JSON");
}

remote::remote(const remote_options& o, bool needs_account) {
  auto url = first_set(o.url, {"SLUICE_URL", "CLOUDFLARE_API_BASE_URL"}, "http://127.0.0.1:8787");
  std::smatch m;
  // The host: a name, an IPv4 address or a bracketed IPv6 address (http://[::1]:8787).
  if (!std::regex_match(
          url, m, std::regex{R"((https?)://(\[[0-9A-Fa-f:.]+\]|[^:/\[\]]+)(?::(\d{1,5}))?(/.*)?)"}))
    throw cli_error("the server URL must look like http://HOST:PORT or https://HOST:PORT "
                    "(an IPv6 host in brackets: http://[::1]:8787), not '"
                    + url + "'");
  bool https = m[1] == "https";
  std::string host = m[2];
  if (host.front() == '[')
    host = host.substr(1, host.size() - 2);
  auto port = m[3].matched ? std::stoi(m[3]) : https ? 443 : 80;
  if (port < 1 || port > 65535)
    throw cli_error("the port in the server URL '" + url + "' is not 1-65535");
  // wrangler's CLOUDFLARE_API_BASE_URL ends in /client/v4; SLUICE_URL need not.
  std::string prefix = m[4].matched ? std::string{m[4]} : std::string{};
  while (!prefix.empty() && prefix.back() == '/')
    prefix.pop_back();
  if (prefix.size() < 10 || prefix.compare(prefix.size() - 10, 10, "/client/v4") != 0)
    prefix += "/client/v4";
  token_ = first_set(o.token, {"SLUICE_TOKEN", "CLOUDFLARE_API_TOKEN"});
  account_ = first_set(o.account, {"SLUICE_ACCOUNT", "CLOUDFLARE_ACCOUNT_ID"});
  if (account_.empty() && needs_account)
    throw cli_error("no account: pass --account or set SLUICE_ACCOUNT");
  v4_path_ = prefix;
  base_path_ = prefix + "/accounts/" + account_;
  if (!https) {
    client_ = std::make_unique<http::client>(host, static_cast<uint16_t>(port));
    return;
  }
  http::client_tls tls;
  tls.ca_file = first_set(o.ca_cert, {"SLUICE_CA_CERT"});
  try {
    client_ = std::make_unique<http::client>(host, static_cast<uint16_t>(port), tls);
  } catch (const std::runtime_error& e) {
    throw cli_error(e.what());
  }
}

simdjson::dom::element remote::call(const std::string& method, const std::string& path,
                                    const std::string& body) {
  return send(method, base_path_ + path, body);
}

simdjson::dom::element remote::call_root(const std::string& method, const std::string& path,
                                         const std::string& body) {
  return send(method, v4_path_ + path, body);
}

simdjson::dom::element remote::send(const std::string& method, const std::string& target,
                                    const std::string& body) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!token_.empty())
    headers.emplace_back("authorization", "Bearer " + token_);
  if (!body.empty())
    headers.emplace_back("content-type", "application/json");
  http::response res;
  try {
    res = client_->send(method, target, body, headers);
  } catch (const http::certificate_error& e) {
    throw cli_error(std::string{e.what()}
                    + " (a server with a private CA: pass its certificate with --ca-cert or "
                      "SLUICE_CA_CERT)");
  } catch (const std::exception& e) {
    throw cli_error(std::string{"cannot reach the server: "} + e.what());
  }
  simdjson::dom::element doc;
  if (parser_.parse(res.body).get(doc))
    throw cli_error("the server answered " + std::to_string(res.status)
                    + " without a JSON envelope: " + res.body.substr(0, 200));
  bool success = false;
  if (doc["success"].get(success) || !success) {
    std::string message = "unknown error", code = "none";
    simdjson::dom::element first;
    if (!doc["errors"].at(0).get(first)) {
      message = field(first, "message");
      code = field(first, "code");
    }
    throw cli_error(message + " [HTTP " + std::to_string(res.status) + ", code " + code + "]");
  }
  simdjson::dom::element result;
  if (doc["result"].get(result))
    throw cli_error("the server's answer has no result");
  return result;
}

std::string remote::queue_id(const std::string& name_or_id) {
  // Queue names are letters, digits and '-' (docs/api.md): nothing to escape.
  static const std::regex name_form{"[A-Za-z0-9_-]{1,64}"}, id_form{"[0-9a-f]{32}"};
  if (!std::regex_match(name_or_id, name_form))
    throw cli_error("'" + name_or_id + "' is not a queue name or id");
  auto list = call("GET", "/queues?name=" + name_or_id);
  for (auto q : items(list)) {
    std::string_view id, name;
    if (!q["queue_id"].get(id) && !q["queue_name"].get(name) && name == name_or_id)
      return std::string{id};
  }
  // Not a name: accept a queue id as it is.
  if (std::regex_match(name_or_id, id_form))
    return name_or_id;
  throw cli_error("queue '" + name_or_id + "' does not exist in account " + account_);
}

} // namespace sluice::cli
