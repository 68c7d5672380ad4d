#include "http/url.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

namespace sluice::http {

namespace {

[[noreturn]] void reject(std::string_view text, const std::string& why) {
  throw std::invalid_argument("invalid URL '" + std::string(text) + "': " + why);
}

/// `prefix` is lower case.
bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size()
         && std::equal(prefix.begin(), prefix.end(), text.begin(), [](char lower, char c) {
              return std::tolower(static_cast<unsigned char>(c)) == lower;
            });
}

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

bool ipv6_char(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

} // namespace

http_url parse_http_url(std::string_view text) {
  if (std::any_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }))
    reject(text, "it contains a space or a control character (percent-encode them)");
  if (starts_with_nocase(text, "https://"))
    reject(text, "https is not supported (the webhook has no TLS client); use an http:// URL, "
                 "e.g. a local TLS-terminating proxy");
  if (!starts_with_nocase(text, "http://"))
    reject(text, "it must start with http://");

  std::string_view rest = text.substr(7);
  rest = rest.substr(0, rest.find('#')); // never sent to the server
  const std::size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos)
    reject(text, "user info (user@host) is not supported");

  http_url url;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos)
      reject(text, "the IPv6 address has no closing ']'");
    url.host = std::string(authority.substr(1, close - 1));
    if (url.host.empty() || !std::all_of(url.host.begin(), url.host.end(), ipv6_char))
      reject(text, "'" + url.host + "' is not an IPv6 address");
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        reject(text, "unexpected text after the IPv6 address");
      port_text = after.substr(1);
      if (port_text.empty())
        reject(text, "the port is empty");
    }
  } else {
    const std::size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (url.host.empty())
      reject(text, "the host is empty");
    if (!std::all_of(url.host.begin(), url.host.end(), name_char))
      reject(text, "'" + url.host + "' is not a host name or IPv4 address");
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty())
        reject(text, "the port is empty");
    }
  }

  if (!port_text.empty()) {
    unsigned port = 0;
    const char* end = port_text.data() + port_text.size();
    auto [ptr, ec] = std::from_chars(port_text.data(), end, port);
    if (ec != std::errc{} || ptr != end || port == 0 || port > 65535)
      reject(text, "the port must be a number from 1 to 65535");
    url.port = static_cast<std::uint16_t>(port);
  }

  if (target.empty())
    url.target = "/";
  else if (target.front() == '?')
    url.target = "/" + std::string(target); // http://host?x=1 asks for /?x=1
  else
    url.target = std::string(target);
  return url;
}

bool split_host_port(const std::string& text, std::string& host, std::uint16_t& port) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 >= text.size())
    return false;
  host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const auto digits = text.substr(colon + 1);
  if (digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos)
    return false;
  auto p = std::stoul(digits);
  if (p > 65535)
    return false;
  port = static_cast<std::uint16_t>(p);
  return !host.empty();
}

} // namespace sluice::http
