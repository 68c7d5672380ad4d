#pragma once

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>

#include <boost/asio/ip/address.hpp>

#include "http/url.hpp"

namespace sluice::http {

/// A reply to `http_post`, whatever its status.
struct http_reply {
  int status = 0;
  std::string body;
};

/// Why `http_post` got no reply: what() names the step and the error, e.g. "connecting:
/// Connection refused".
class http_post_error : public std::runtime_error {
public:
  http_post_error(const std::string& what, bool timed_out)
    : std::runtime_error(what), timed_out_(timed_out) {}
  /// True when the deadline passed before the reply was complete.
  bool timed_out() const { return timed_out_; }

private:
  bool timed_out_;
};

/// Empty when a connection to `address` may be made, else why not.
using address_check = std::function<std::string(const boost::asio::ip::address& address)>;

/// POSTs `body` (application/json) to `url` over a fresh connection and returns the
/// reply, or throws http_post_error. `timeout` bounds the whole exchange — resolving,
/// connecting, sending, reading — as one deadline. With `check`, only the resolved
/// addresses it accepts are tried; none accepted is an error naming why.
///
/// Why not `client` (http/client.hpp): it runs Beast's synchronous operations, and Beast's
/// stream timeouts apply to asynchronous operations only, so a server that accepts and
/// never answers would block it forever. This runs `async_http_post` (http/async_post.hpp)
/// on a private io_context, so the deadline holds. Replies larger than 4 MiB are refused.
/// Blocks the calling thread; the built-in webhook uses `async_poster` instead.
http_reply http_post(const http_url& url, const std::string& body,
                     std::chrono::milliseconds timeout, const address_check& check = {});

} // namespace sluice::http
