#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http/message.hpp"

namespace sluice::http {

/// HTTPS for a `client`: the server's certificate must chain to a CA of the
/// system's trust store or of `ca_file`, and name the host the client was
/// given (a DNS name, or an IP address as an IP subject-alternative name).
struct client_tls {
  std::string ca_file; ///< PEM CA certificates trusted besides the system's (may be empty)
};

/// A blocking HTTP/1.1 client over one keep-alive connection, plain or TLS,
/// for the CLI, integration tests and benchmarks (never used inside the
/// server). Reconnects once if the server closed an idle connection. Not
/// thread-safe: one per thread.
class client {
public:
  /// Plain HTTP.
  client(std::string host, uint16_t port,
         std::chrono::milliseconds timeout = std::chrono::seconds(30));
  /// HTTPS. Throws `std::runtime_error` if `tls.ca_file` cannot be loaded.
  client(std::string host, uint16_t port, const client_tls& tls,
         std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  /// Sends one request; `target` is path plus query. Headers are extra
  /// (`authorization`, `content-type`, ...). Throws `std::runtime_error` on a
  /// connection failure or time-out (never for an HTTP error status), and
  /// `certificate_error` (http/tls.hpp) when the server's certificate is
  /// refused.
  response send(const std::string& method, const std::string& target, const std::string& body = {},
                const std::vector<std::pair<std::string, std::string>>& headers = {});

  /// Sends raw bytes and returns the raw response text: for tests of
  /// malformed HTTP. Opens its own connection, always plain TCP.
  std::string send_raw(const std::string& bytes);

private:
  /// "HTTPS GET /x to host:port failed: ", the start of an error's text.
  std::string what_failed(const std::string& method, const std::string& target) const;

  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace sluice::http
