#include <catch2/catch.hpp>

#include "http/router.hpp"
#include "metrics/registry.hpp"

using namespace sluice::http;

namespace {

response call(const router& r, std::string method, std::string path,
              sluice::metrics::registry* m = nullptr) {
  response out;
  request req;
  req.method = std::move(method);
  req.path = std::move(path);
  r.dispatch(
      req, [&](response res) { out = std::move(res); }, m);
  return out;
}

} // namespace

TEST_CASE("router matches literal segments and captures parameters") {
  router r;
  std::vector<std::string> seen;
  r.add("q.get", "GET", "/a/{x}/q/{y}", [&](request&, path_params& p, responder reply) {
    seen = p;
    reply(response{204, {}, {}, {}});
  });
  CHECK(call(r, "GET", "/a/one/q/two").status == 204);
  CHECK(seen == std::vector<std::string>{"one", "two"});
  CHECK(call(r, "GET", "/a/one/q/two/").status == 204); // trailing slash
}

TEST_CASE("router answers 404 for unknown paths and 405 for known paths") {
  router r;
  r.add("x", "GET", "/x", [](request&, path_params&, responder reply) { reply({}); });
  auto nf = call(r, "GET", "/nope");
  CHECK(nf.status == 404);
  CHECK(nf.body.find("\"success\":false") != std::string::npos);
  auto na = call(r, "DELETE", "/x");
  CHECK(na.status == 405);
  CHECK(na.body.find("DELETE") != std::string::npos);
}

TEST_CASE("router counts requests by route name with bounded labels") {
  sluice::metrics::registry m;
  router r;
  r.add("x.get", "GET", "/x", [](request&, path_params&, responder reply) { reply({}); });
  call(r, "GET", "/x", &m);
  call(r, "BREW", "/coffee", &m);
  auto text = m.expose();
  CHECK(text.find(R"(sluice_http_requests_total{method="GET",route="x.get",status="2xx"} 1)")
        != std::string::npos);
  CHECK(text.find(R"(method="other",route="unknown",status="4xx")") != std::string::npos);
  CHECK(text.find("BREW") == std::string::npos);
}
