#include <catch2/catch.hpp>

#include "http/envelope.hpp"
#include "http/json_reader.hpp"
#include "http/json_writer.hpp"
#include "http/paging.hpp"
#include "http/query.hpp"
#include "http/queue_json.hpp"

using namespace sluice;
using namespace sluice::http;

TEST_CASE("json_writer escapes strings and separates values") {
  json_writer w;
  w.begin_object().key("a").value("x\"y\n").key("b").begin_array().value(1).value(true).null();
  w.end_array().end_object();
  CHECK(w.take() == R"({"a":"x\"y\n","b":[1,true,null]})");
}

TEST_CASE("json_reader reports the failing field and its expected type") {
  json_reader in;
  REQUIRE(in.parse(R"({"n": "x", "i": 5, "f": 5.0, "h": 5.5, "b": true, "nul": null})").empty());
  caf::optional<int64_t> i;
  CHECK(json_reader::get_int(in.root(), "i", "i", i).empty());
  CHECK(*i == 5);
  caf::optional<int64_t> f;
  CHECK(json_reader::get_int(in.root(), "f", "f", f).empty());
  CHECK(*f == 5);
  caf::optional<int64_t> h;
  CHECK(json_reader::get_int(in.root(), "h", "settings.h", h) == "settings.h must be an integer");
  caf::optional<int64_t> n;
  CHECK(json_reader::get_int(in.root(), "n", "n", n) == "n must be an integer");
  caf::optional<bool> nul;
  CHECK(json_reader::get_bool(in.root(), "nul", "nul", nul).empty());
  CHECK_FALSE(nul); // null counts as absent
  caf::optional<std::string> s;
  CHECK(json_reader::get_string(in.root(), "b", "b", s) == "b must be a string");
}

TEST_CASE("json_reader tells malformed JSON from a non-object body") {
  json_reader in;
  CHECK_FALSE(in.parse("{oops").empty());
  CHECK(in.malformed());
  CHECK(in.parse("[1,2]") == "request body must be a JSON object");
  CHECK_FALSE(in.malformed());
  CHECK_FALSE(in.parse("").empty());
  CHECK(in.parse("  ", true).empty()); // empty allowed where the body is optional
}

TEST_CASE("paging defaults to everything and validates parameters") {
  paging p;
  CHECK(parse_paging("", p).empty());
  uint64_t b = 0;
  uint64_t e = 0;
  auto info = page_of(p, 7, b, e);
  CHECK((b == 0 && e == 7 && info.total_count == 7));

  paging q;
  CHECK(parse_paging("page=2&per_page=3", q).empty());
  info = page_of(q, 7, b, e);
  CHECK((b == 3 && e == 6 && info.count == 3 && info.page == 2));
  paging past;
  CHECK(parse_paging("page=99999999999&per_page=1000", past).empty());
  info = page_of(past, 7, b, e);
  CHECK(info.count == 0);

  paging bad;
  CHECK(parse_paging("page=0", bad) == "page must be a positive integer, got '0'");
  CHECK_FALSE(parse_paging("per_page=abc", bad).empty());
  CHECK_FALSE(parse_paging("per_page=1001", bad).empty());
}

TEST_CASE("query strings are percent-decoded") {
  CHECK(query_value("name=my%2Dqueue&x=1", "name") == "my-queue");
  bool found = true;
  CHECK(query_value("a=1", "b", &found).empty());
  CHECK_FALSE(found);
  CHECK(query_value("q=a+b%zz", "q") == "a b%zz");
}

TEST_CASE("error envelopes carry status, code, message and the retry hint") {
  auto r = fail(errc::queue_name_taken, "taken");
  CHECK(r.status == 409);
  CHECK(r.body
        == R"({"success":false,"errors":[{"code":11009,"message":"taken"}],)"
           R"("messages":[],"result":null})");
  REQUIRE(r.headers.size() == 1);
  CHECK(r.headers[0] == std::pair<std::string, std::string>{"x-should-retry", "false"});
  for (auto worth_retrying : {errc::overloaded, errc::timeout, errc::too_many_requests}) {
    auto h = fail(worth_retrying, "busy").headers;
    REQUIRE(h.size() == 1);
    CHECK(h[0] == std::pair<std::string, std::string>{"x-should-retry", "true"});
  }
  CHECK(to_wire(errc::unauthenticated).status == 401);
  CHECK(to_wire(errc::too_large).status == 413);
}

TEST_CASE("timestamps render as RFC 3339 UTC with milliseconds") {
  CHECK(rfc3339(0) == "1970-01-01T00:00:00.000Z");
  CHECK(rfc3339(1795000000123) == "2026-11-18T11:06:40.123Z");
}
