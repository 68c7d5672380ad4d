// HTTPS (docs/operations.md, "TLS"): the real server with --tls-cert/--tls-key
// and a throw-away CA made with the openssl command line at test time, driven by
// http::client and the CLI binary.
#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "api.hpp"
#include "child_process.hpp"
#include "http/tls.hpp"
#include "tests/metrics_text.hpp"
#include "tests/temp_dir.hpp"
#include "wait.hpp"

using namespace sluice::test;

namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// A CA and two server certificates signed by it: `server` for localhost and
/// 127.0.0.1, `other` for wrong.example only. The same openssl commands as in
/// docs/operations.md.
struct test_pki {
  temp_dir dir;
  std::string ca = dir.path() + "/ca.pem";
  std::string cert = dir.path() + "/server.pem";
  std::string key = dir.path() + "/server.key";
  std::string other_cert = dir.path() + "/other.pem";
  std::string other_key = dir.path() + "/other.key";

  test_pki() {
    std::string key_opts = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2";
    std::string script =
        "set -e; cd '" + dir.path() + "'; openssl req -x509 " + key_opts
        + " -keyout ca.key -out ca.pem -subj '/CN=Sluice test CA';"
        + " for n in server:DNS:localhost,IP:127.0.0.1 other:DNS:wrong.example; do"
        + "  openssl req -x509 " + key_opts + " -CA ca.pem -CAkey ca.key"
        + "   -keyout ${n%%:*}.key -out ${n%%:*}.pem -subj /CN=${n%%:*}"
        + "   -addext subjectAltName=${n#*:} -addext basicConstraints=critical,CA:FALSE; done";
    auto r = run_program({"/bin/sh", "-c", script});
    INFO(r.output);
    REQUIRE(r.status == 0);
  }

  std::vector<std::string> flags() const { return {"--tls-cert", cert, "--tls-key", key}; }
};

std::unique_ptr<sluice::http::client> https_client(const server_process& srv, const std::string& ca,
                                                   const std::string& host = "127.0.0.1") {
  sluice::http::client_tls tls;
  tls.ca_file = ca;
  return std::make_unique<sluice::http::client>(host, srv.port(), tls);
}

/// `sluice ARGS` with only `env` from the test's SLUICE_* settings.
run_result run_cli(std::vector<std::string> args,
                   std::vector<std::pair<std::string, std::string>> env) {
  for (const char* name :
       {"SLUICE_URL", "SLUICE_TOKEN", "SLUICE_ACCOUNT", "SLUICE_CA_CERT", "CLOUDFLARE_API_BASE_URL",
        "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID", "SSL_CERT_FILE", "SSL_CERT_DIR"}) {
    bool given = false;
    for (auto& [k, v] : env)
      given = given || k == name;
    if (!given)
      env.emplace_back(name, "");
  }
  child_options opts;
  opts.stderr_to_stdout = true;
  opts.env = std::move(env);
  args.insert(args.begin(), SLUICE_BIN);
  child_process child{std::move(args), opts};
  run_result r;
  r.output = child.read_stdout_to_end();
  r.status = child.wait();
  return r;
}

} // namespace

TEST_CASE("tls: http::client with the CA sends, pulls and acks over HTTPS") {
  test_pki pki;
  server_process srv{"integration-token", pki.flags()};
  REQUIRE(srv.tls());
  api a{srv, https_client(srv, pki.ca)};
  auto q = "/queues/" + a.create_queue("tls-orders");
  auto sent = a.call("POST", q + "/messages", R"({"body":{"n":1}})");
  REQUIRE(sent->status == 200);
  auto pulled = a.call("POST", q + "/messages/pull", R"({"batch_size":10})");
  REQUIRE(pulled->status == 200);
  auto messages = pulled->result()["messages"].get_array();
  REQUIRE(messages.size() == 1);
  std::string lease{messages.at(0)["lease_id"].get_string().value()};
  auto ack = a.call("POST", q + "/messages/ack", R"({"acks":[{"lease_id":")" + lease + "\"}]}");
  REQUIRE(ack->status == 200);
  CHECK(ack->result()["ackCount"].get_int64().value() == 1);
  // The same connection carries further requests (keep-alive over TLS), and
  // the certificate's DNS name works as well as its IP address.
  api by_name{srv, https_client(srv, pki.ca, "localhost")};
  CHECK(by_name.call("GET", "/queues")->status == 200);
}

TEST_CASE("tls: a client that does not trust the certificate is refused with the cause") {
  test_pki pki;
  server_process srv{"integration-token", pki.flags()};
  auto untrusting = https_client(srv, "");
  try {
    untrusting->send("GET", "/healthz");
    FAIL("a certificate from an unknown CA was accepted");
  } catch (const sluice::http::certificate_error& e) {
    INFO(e.what());
    CHECK(has(e.what(), "the server's certificate was refused"));
    CHECK(has(e.what(), "unable to get local issuer certificate"));
  }
  // Trusted CA, but the certificate names another host.
  test_pki other;
  server_process wrong{"integration-token",
                       {"--tls-cert", other.other_cert, "--tls-key", other.other_key}};
  try {
    https_client(wrong, other.ca)->send("GET", "/healthz");
    FAIL("a certificate for another host was accepted");
  } catch (const sluice::http::certificate_error& e) {
    INFO(e.what());
    CHECK(has(e.what(), "IP address mismatch"));
  }
  CHECK_THROWS_AS(https_client(wrong, other.ca, "localhost")->send("GET", "/healthz"),
                  sluice::http::certificate_error);
}

TEST_CASE("tls: plain HTTP to the HTTPS port is not served, and counted") {
  test_pki pki;
  server_process srv{"integration-token", pki.flags()};
  auto raw = srv.client()->send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK_FALSE(has(raw, "HTTP/1.1"));
  CHECK_FALSE(has(raw, "ok"));
  auto plain = srv.client();
  CHECK_THROWS(plain->send("GET", "/healthz"));
  auto metrics = https_client(srv, pki.ca)->send("GET", "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(sample(metrics.body, "sluice_http_connections_refused_total", {{"reason", "tls_handshake"}})
        >= 2);
}

TEST_CASE("tls: the CLI over https:// with --ca-cert or SLUICE_CA_CERT") {
  test_pki pki;
  server_process srv{"integration-token", pki.flags()};
  auto url = "https://127.0.0.1:" + std::to_string(srv.port());
  std::vector<std::pair<std::string, std::string>> env{{"SLUICE_TOKEN", srv.token()},
                                                       {"SLUICE_ACCOUNT", "cli-acct"}};
  auto created = run_cli({"queues", "create", "tls-cli", "--url", url, "--ca-cert", pki.ca}, env);
  INFO(created.output);
  REQUIRE(created.status == 0);
  auto listed = run_cli({"queues", "list", "--url", url, "--ca-cert", pki.ca}, env);
  INFO(listed.output);
  REQUIRE(listed.status == 0);
  CHECK(has(listed.output, "tls-cli"));
  auto by_env = env;
  by_env.emplace_back("SLUICE_URL", url);
  by_env.emplace_back("SLUICE_CA_CERT", pki.ca);
  auto via_env = run_cli({"queues", "list"}, by_env);
  INFO(via_env.output);
  CHECK(via_env.status == 0);
  CHECK(has(via_env.output, "tls-cli"));
  // Without the CA: one line naming the cause and the way out.
  auto refused = run_cli({"queues", "list", "--url", url}, env);
  CHECK(refused.status == 1);
  CHECK(has(refused.output, "unable to get local issuer certificate"));
  CHECK(has(refused.output, "--ca-cert"));
  CHECK(std::count(refused.output.begin(), refused.output.end(), '\n') == 1);
  auto missing_ca =
      run_cli({"queues", "list", "--url", url, "--ca-cert", pki.dir.path() + "/no"}, env);
  CHECK(missing_ca.status == 1);
  CHECK(has(missing_ca.output, "cannot read the CA certificates"));
}

TEST_CASE("tls: tls-cert and tls-key from the TOML config file") {
  test_pki pki;
  auto config = pki.dir.path() + "/sluice.toml";
  std::ofstream{config} << "[serve]\ntls-cert = \"" << pki.cert << "\"\ntls-key = \"" << pki.key
                        << "\"\n";
  server_process srv{"integration-token", {"--config", config}};
  CHECK(srv.tls());
  CHECK(has(srv.stdout_text(), "listening on https://127.0.0.1:"));
  CHECK(https_client(srv, pki.ca)->send("GET", "/healthz").status == 200);
}

TEST_CASE("tls: start-up refuses half the flags and bad files, naming them") {
  test_pki pki;
  temp_dir data;
  auto serve = [&](std::vector<std::string> flags) {
    std::vector<std::string> args{"serve", "--listen", "127.0.0.1:0", "--data-dir",
                                  data.path() + "/data"};
    args.insert(args.end(), flags.begin(), flags.end());
    return run_serve_expecting_exit(args);
  };
  auto half = serve({"--tls-cert", pki.cert});
  CHECK(half.status == 2);
  CHECK(has(half.output, "--tls-cert and --tls-key go together"));
  CHECK(serve({"--tls-key", pki.key}).status == 2);
  auto missing = serve({"--tls-cert", pki.dir.path() + "/nope.pem", "--tls-key", pki.key});
  CHECK(missing.status == 2);
  CHECK(has(missing.output, "cannot read the TLS certificate " + pki.dir.path() + "/nope.pem"));
  CHECK(has(missing.output, "No such file or directory"));
  auto swapped = serve({"--tls-cert", pki.key, "--tls-key", pki.cert});
  CHECK(swapped.status == 2);
  CHECK(has(swapped.output, "the TLS certificate " + pki.key));
  CHECK(has(swapped.output, "no start line"));
  auto mismatch = serve({"--tls-cert", pki.cert, "--tls-key", pki.other_key});
  CHECK(mismatch.status == 2);
  CHECK(has(mismatch.output, "does not belong to the certificate"));
}

TEST_CASE("tls: plain HTTP on a non-loopback address warns that tokens cross in clear") {
  test_pki pki;
  std::ofstream{pki.dir.path() + "/file"} << "x";
  // The data dir cannot be made (a file is in the way): the server exits
  // right after its flag checks.
  auto bad_dir = pki.dir.path() + "/file/data";
  auto plain = run_serve_expecting_exit({"serve", "--listen", "0.0.0.0:0", "--data-dir", bad_dir});
  CHECK(plain.status != 0);
  CHECK(has(plain.output, "serving plain HTTP on 0.0.0.0: API tokens and messages cross"));
  auto tls = run_serve_expecting_exit({"serve", "--listen", "0.0.0.0:0", "--data-dir", bad_dir,
                                       "--tls-cert", pki.cert, "--tls-key", pki.key});
  CHECK(tls.status != 0);
  CHECK_FALSE(has(tls.output, "plain HTTP"));
  auto loopback =
      run_serve_expecting_exit({"serve", "--listen", "127.0.0.1:0", "--data-dir", bad_dir});
  CHECK_FALSE(has(loopback.output, "plain HTTP"));
}
