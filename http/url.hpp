#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::http {

/// The parts of an `http://host[:port][/path][?query]` URL that a request needs.
struct http_url {
  std::string host; ///< a name, an IPv4 address, or an IPv6 address without brackets
  std::uint16_t port = 80;
  std::string target = "/"; ///< path plus `?query`, as sent in the request line
};

/// Parses `text` as an absolute http URL. Debian 12's Boost (1.74) has no Boost.URL, so
/// this is a deliberately narrow parser: the scheme must be `http` (any case), the host a
/// DNS name, an IPv4 address or a bracketed IPv6 address, the port 1–65535; the path and
/// query are passed on as they are (no percent-decoding) and a `#fragment` is dropped, as
/// a browser would. Throws std::invalid_argument with a sentence saying what is wrong for
/// anything else: `https` (no TLS client here), other schemes, user info (`user@`),
/// spaces or control characters, an empty host, a bad port.
http_url parse_http_url(std::string_view text);

/// Splits "HOST:PORT" (an IPv6 host in brackets, "[::1]:7001", loses them)
/// into `host` and `port`; false — leaving both unspecified — when either is
/// missing or the port is not 0–65535 (0: any free port, to listen on).
bool split_host_port(const std::string& text, std::string& host, std::uint16_t& port);

} // namespace sluice::http
