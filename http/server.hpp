#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/router.hpp"

namespace sluice::metrics {
class registry;
} // namespace sluice::metrics

namespace sluice::http {

class tls_config;

/// Listener settings (docs/auth.md flags map onto these).
struct server_options {
  std::string host = "127.0.0.1";
  uint16_t port = 8787;                ///< 0 picks a free port (see `server::port`)
  unsigned threads = 1;                ///< Asio I/O threads
  uint64_t max_body_bytes = 1'000'000; ///< larger bodies get 413
  /// Request bodies held in memory at once (read, or being answered) at
  /// most; a request that would pass it gets 429 before its body is read.
  uint64_t max_inflight_bytes = 8ull << 20;
  /// The same for requests of one budget key (`budget_key`; a queue's sends).
  uint64_t max_key_inflight_bytes = 4ull << 20;
  /// The budget a request's body counts against besides the process-wide one,
  /// from its method and target (empty: none). Runs on an I/O thread.
  std::function<std::string(std::string_view method, std::string_view target)> budget_key;
  uint32_t max_header_bytes = 16 * 1024;
  /// Open connections at most; one more is closed as soon as it is accepted.
  unsigned max_connections = 1024;
  /// How long a connection may take to send a request's headers, counted
  /// from its accept or from the previous response: an idle keep-alive
  /// connection, or one that never sends a request, closes after this.
  std::chrono::seconds header_timeout{10};
  /// Limit for reading one request's body once its headers arrived.
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds write_timeout{30};
  /// How long a request waits for the actors' answer before a retryable 504.
  std::chrono::seconds answer_timeout{30};
  /// Set: the listener speaks only HTTPS with this certificate (http/tls.hpp);
  /// the handshake counts against `header_timeout`, and one that fails
  /// closes the connection without an answer. Null: plain HTTP.
  std::shared_ptr<const tls_config> tls;
};

/// The Boost.Beast HTTP/1.1 server: keep-alive, size limits, time-outs. Each
/// request is handed to the router on an I/O thread; handlers answer through a
/// `responder` from any thread, and the server writes the response on the
/// connection's strand. Beast is only included in server.cpp.
class server {
public:
  server(const router& routes, metrics::registry* metrics, server_options opts);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and listens. Returns an error text (e.g. address in use) or empty.
  std::string listen();

  /// The bound port (after `listen`).
  uint16_t port() const;

  /// On SIGINT/SIGTERM: calls `on_signal` (e.g. mark not-ready), then
  /// `stop(grace)`. Call before `run`.
  void stop_on_signals(std::function<void()> on_signal, std::chrono::seconds grace);

  /// Serves on the configured number of threads (the caller is one of them)
  /// until stopped.
  void run();

  /// Stops accepting, lets requests in flight finish (at most `grace`), then
  /// makes `run` return. Thread-safe.
  void stop(std::chrono::seconds grace);

  /// Implementation detail (Beast types), public only so that the
  /// connection class in server.cpp can name it.
  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace sluice::http
