#include <catch2/catch.hpp>

#include "http/api.hpp"
#include "http/router.hpp"

using namespace sluice::http;

namespace {

response call(const router& r, std::string method, std::string path,
              route_labels* labels = nullptr) {
  response out;
  request req;
  req.method = std::move(method);
  req.path = std::move(path);
  auto l = r.dispatch(req, [&](response res) { out = std::move(res); });
  if (labels != nullptr)
    *labels = l;
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
  // Exact paths only: a trailing slash or an empty segment matches nothing.
  CHECK(call(r, "GET", "/a/one/q/two/").status == 404);
  CHECK(call(r, "GET", "/a//q/two").status == 404);
  CHECK(call(r, "GET", "/a/one//q/two").status == 404);
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

TEST_CASE("router names requests with bounded metric labels") {
  router r;
  r.add("x.get", "GET", "/x", [](request&, path_params&, responder reply) { reply({}); });
  route_labels l;
  call(r, "GET", "/x", &l);
  CHECK(l.route == "x.get");
  CHECK(l.method == "GET");
  call(r, "BREW", "/coffee", &l);
  CHECK(l.route == "unknown");
  CHECK(l.method == "other"); // never the client's text
  call(r, "DELETE", "/x", &l);
  CHECK(l.route == "method_not_allowed");
  CHECK(l.method == "other");
}

TEST_CASE("sends count against their queue's budget, other requests against none") {
  CHECK(send_budget_key("POST", "/client/v4/accounts/a1/queues/q1/messages") == "a1/q1");
  CHECK(send_budget_key("POST", "/client/v4/accounts/a1/queues/q1/messages/batch?x=1") == "a1/q1");
  CHECK(send_budget_key("GET", "/client/v4/accounts/a1/queues/q1/messages").empty());
  CHECK(send_budget_key("POST", "/client/v4/accounts/a1/queues/q1/messages/pull").empty());
  CHECK(send_budget_key("POST", "/client/v4/accounts/a1/queues").empty());
  CHECK(send_budget_key("POST", "/client/v4/accounts/a1/queues//messages").empty());
  CHECK(send_budget_key("POST", "/elsewhere").empty());
}
