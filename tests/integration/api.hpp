#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <simdjson.h>

#include "http/client.hpp"
#include "server_process.hpp"

namespace sluice::test {

/// The value of response header `name` (any case), empty when absent.
inline std::string header(const http::response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(a) == std::tolower(b);
        }))
      return v;
  return {};
}

/// A parsed v4 envelope.
struct reply {
  int status = 0;
  std::string body;
  simdjson::dom::parser parser;
  simdjson::dom::element json;

  bool success() const { return json["success"].get_bool().value(); }
  int64_t error_code() const { return json["errors"].at(0)["code"].get_int64().value(); }
  std::string error_message() const {
    return std::string{json["errors"].at(0)["message"].get_string().value()};
  }
  simdjson::dom::element result() const { return json["result"]; }
  std::string str(const char* key) const {
    return std::string{json["result"][key].get_string().value()};
  }
};

/// Talks JSON to one server as one account with one token.
class api {
public:
  api(const server_process& srv, std::string account = "acct-a", std::string token = {})
    : api(srv, srv.client(), std::move(account), std::move(token)) {}
  /// The same over `client` (e.g. an HTTPS one).
  api(const server_process& srv, std::unique_ptr<http::client> client,
      std::string account = "acct-a", std::string token = {})
    : client_(std::move(client)), account_(std::move(account)),
      token_(token.empty() ? srv.token() : std::move(token)) {}

  /// `path` is relative to /client/v4/accounts/{account} unless it starts
  /// with "//" (then it is taken from the root, minus one slash).
  std::unique_ptr<reply> call(const std::string& method, const std::string& path,
                              const std::string& body = {}) {
    auto target =
        path.rfind("//", 0) == 0 ? path.substr(1) : "/client/v4/accounts/" + account_ + path;
    std::vector<std::pair<std::string, std::string>> headers;
    if (!token_.empty() && token_ != "-")
      headers.emplace_back("authorization", "Bearer " + token_);
    auto res = client_->send(method, target, body, headers);
    auto r = std::make_unique<reply>();
    r->status = res.status;
    r->body = std::move(res.body);
    if (res.content_type.rfind("application/json", 0) == 0) {
      auto parsed = r->parser.parse(r->body);
      REQUIRE(!parsed.error());
      r->json = parsed.value();
      // Every failure carries the envelope with a message a person can read.
      if (!r->success())
        CHECK_FALSE(r->error_message().empty());
    }
    return r;
  }

  /// Creates a queue and returns its id.
  std::string create_queue(const std::string& name, const std::string& settings = "{}") {
    auto r =
        call("POST", "/queues", R"({"queue_name":")" + name + R"(","settings":)" + settings + "}");
    REQUIRE(r->status == 200);
    return r->str("queue_id");
  }

  http::client& raw() { return *client_; }

private:
  std::unique_ptr<http::client> client_;
  std::string account_;
  std::string token_;
};

} // namespace sluice::test
