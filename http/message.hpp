#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::http {

/// A parsed HTTP request as the API handlers see it: no Beast types, so that
/// handler code compiles without Beast and tests can build requests directly.
struct request {
  std::string method; ///< upper case, e.g. "GET"
  std::string path;   ///< without the query string, not percent-decoded
  std::string query;  ///< the raw text after '?', may be empty
  std::string authorization;
  std::string body;
  std::string content_type; ///< the Content-Type header, as sent (may be empty)
  std::string peer;         ///< the client's IP address (empty if unknown)
  /// The Idempotency-Key header, if sent (a single send's dedup id).
  std::optional<std::string> idempotency_key = {};
};

/// A response to write back. `content_type` defaults to JSON.
struct response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Completes a request. May be called from any thread, exactly once; the
/// server moves the response onto the connection's own executor.
using responder = std::function<void(response)>;

} // namespace sluice::http
