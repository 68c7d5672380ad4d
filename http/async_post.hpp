#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http/deadline_post.hpp"
#include "http/url.hpp"

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace sluice::http {

/// What came of an asynchronous POST: the reply whatever its status, or why there is
/// none (`error` as `http_post_error::what()` would say it, e.g. "connecting: Connection
/// refused", "reading the reply: timed out").
struct post_outcome {
  std::optional<http_reply> reply;
  std::string error;      ///< empty with a reply
  bool timed_out = false; ///< the deadline passed before the reply was complete
};

/// Completion of `async_http_post`: runs exactly once, on a thread running the
/// io_context. Keep it short; it must not throw.
using post_done = std::function<void(post_outcome)>;

/// Starts one POST of `body` (application/json) to `url` over a fresh connection
/// (`connection: close`) on `ioc` and returns at once; `done` gets the outcome. `timeout`
/// bounds the whole exchange — resolving, connecting, sending, reading — as one deadline,
/// enforced by an asio timer. With `check`, only the resolved addresses it accepts are
/// tried; none accepted is an error naming why. Replies larger than 4 MiB are refused.
/// No thread waits for the reply: the io_context's threads run the steps as they come.
void async_http_post(boost::asio::io_context& ioc, const http_url& url, std::string body,
                     std::chrono::milliseconds timeout, address_check check, post_done done);

/// An io_context with its own threads on which webhook POSTs wait (docs/plugins.md): many
/// in flight at once, no thread held per request. Thread-safe.
class async_poster {
public:
  /// Starts `threads` (at least 1) threads running the context.
  explicit async_poster(std::size_t threads = 1);
  /// Stops the context and joins its threads; exchanges still in flight are dropped
  /// without calling their `done` (their completion objects are destroyed).
  ~async_poster();
  async_poster(const async_poster&) = delete;
  async_poster& operator=(const async_poster&) = delete;

  /// `async_http_post` on this poster's context.
  void post(const http_url& url, std::string body, std::chrono::milliseconds timeout,
            address_check check, post_done done);

  /// The process's poster used by the built-in webhook: one thread, started on first use,
  /// stopped at exit.
  static async_poster& shared();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace sluice::http
