// Outbound requests and files are fenced (docs/plugins.md, "Where a webhook may post",
// and file-sink's sink root): checked at deploy against the operator's policy and the
// deployer's scope, with a 400 naming the variable.
#include <string>

#include <catch2/catch.hpp>

#include "api.hpp"

using namespace sluice::test;

namespace {

std::string webhook(const std::string& url) {
  return R"({"plugin":"webhook","env":{"URL":")" + url + "\"}}";
}

std::string sink(const std::string& dir) {
  return R"({"plugin":"file-sink","env":{"DIR":")" + dir + "\"}}";
}

/// An admin token for `account` only.
std::string account_admin(api& operator_api) {
  auto t = operator_api.call("POST", "/sluice/tokens", R"({"permissions":["admin"]})");
  REQUIRE(t->status == 200);
  return t->str("value");
}

void refused(api& a, const std::string& body, const std::string& why) {
  auto r = a.call("PUT", "/sluice/scripts/s", body);
  CHECK(r->status == 400);
  CHECK(r->error_message().find(why) != std::string::npos);
}

} // namespace

TEST_CASE("webhook URLs and file-sink directories are checked at deploy") {
  server_process srv;
  api op{srv}; // the bootstrap token: every account
  api tenant{srv, "acct-a", account_admin(op)};

  refused(op, webhook("file:///etc/passwd"), "env.URL");
  refused(op, webhook("gopher://127.0.0.1:70/x"), "env.URL");
  refused(op, webhook("http://169.254.169.254/latest/meta-data/"), "link-local");
  refused(op, webhook("http://metadata.google.internal/computeMetadata/v1/"), "metadata");
  refused(op, R"({"plugin":"webhook","env":{}})", "env.URL is required");
  refused(op, R"({"plugin":"webhook","env":{"URL":"http://127.0.0.1:9/","TIMEOUT_MS":"5s"}})",
          "env.TIMEOUT_MS must be a whole number from 1 to 86400000, got '5s'");
  refused(op, R"({"plugin":"webhook","env":{"URL":"http://127.0.0.1:9/","TIMEOUT":"5"}})",
          "env.TIMEOUT is not a variable of the built-in webhook plugin");
  refused(op, R"({"plugin":"file-sink","env":{"DIR":"d","MAX_BYTES":"0"}})",
          "env.MAX_BYTES must be a whole number");
  CHECK(op.call("PUT", "/sluice/scripts/s", webhook("http://127.0.0.1:6379/"))->status == 200);

  // A tenant's admin may send only where the operator allows: nowhere by default.
  refused(tenant, webhook("http://127.0.0.1:6379/"), "--webhook-allow");
  refused(tenant, webhook("http://10.0.0.1/hook"), "--webhook-allow");

  refused(op, sink("/etc"), "outside the sink root");
  refused(op, sink("../../etc"), "must not contain '..'");
  CHECK(tenant.call("PUT", "/sluice/scripts/s2", sink("acct-a/orders"))->status == 200);
}

TEST_CASE("the operator's --webhook-allow opens destinations to tenants and metadata") {
  server_process srv{"integration-token", {"--webhook-allow", "10.0.0.0/8,169.254.169.254"}};
  api op{srv};
  api tenant{srv, "acct-a", account_admin(op)};
  CHECK(tenant.call("PUT", "/sluice/scripts/s", webhook("http://10.1.2.3:8080/hook"))->status
        == 200);
  refused(tenant, webhook("http://127.0.0.1:6379/"), "--webhook-allow");
  CHECK(op.call("PUT", "/sluice/scripts/m", webhook("http://169.254.169.254/x"))->status == 200);
  refused(op, webhook("http://169.254.1.1/x"), "link-local");

  CHECK(run_serve_expecting_exit({"serve", "--listen", "127.0.0.1:0", "--data-dir",
                                  srv.data_dir() + "/other", "--webhook-allow", "10.0.0.0/99"})
            .status
        == 2);
}
