// The web console's assets (docs/console.md): `GET /` is the HTML page with a
// strict CSP and needs no token; a file the binary does not hold is a 404 with
// the v4 envelope, as every other unknown thing.
#include <string>

#include <catch2/catch.hpp>

#include "api.hpp"

using namespace sluice::test;

TEST_CASE("console: GET / serves the page with a strict CSP, unknown files are 404s") {
  server_process srv;
  auto c = srv.client();

  auto index = c->send("GET", "/");
  CHECK(index.status == 200);
  CHECK(index.content_type.rfind("text/html", 0) == 0);
  CHECK(index.body.find("<script type=\"module\" src=\"/console/console.js\">")
        != std::string::npos);
  auto csp = header(index, "Content-Security-Policy");
  CHECK(csp.find("default-src 'self'") != std::string::npos);
  CHECK(csp.find("script-src 'self'") != std::string::npos);
  CHECK(csp.find("unsafe-inline") == std::string::npos);
  CHECK(header(index, "X-Content-Type-Options") == "nosniff");

  auto script = c->send("GET", "/console/console.js");
  CHECK(script.status == 200);
  CHECK(script.content_type.rfind("text/javascript", 0) == 0);

  api a{srv};
  auto missing = a.call("GET", "//console/nope.js");
  CHECK(missing->status == 404);
  REQUIRE_FALSE(missing->success());
  CHECK(missing->error_message().find("nope.js") != std::string::npos);
}
