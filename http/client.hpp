#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http/message.hpp"

namespace sluice::http {

/// A blocking HTTP/1.1 client over one keep-alive connection, for the CLI,
/// integration tests and benchmarks (never used inside the server). Reconnects
/// once if the server closed an idle connection. Not thread-safe: one per
/// thread.
class client {
public:
  client(std::string host, uint16_t port,
         std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  /// Sends one request; `target` is path plus query. Headers are extra
  /// (`authorization`, `content-type`, ...). Throws `std::runtime_error` on a
  /// connection failure or time-out (never for an HTTP error status).
  response send(const std::string& method, const std::string& target, const std::string& body = {},
                const std::vector<std::pair<std::string, std::string>>& headers = {});

  /// Sends raw bytes and returns the raw response text: for tests of
  /// malformed HTTP. Opens its own connection.
  std::string send_raw(const std::string& bytes);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace sluice::http
