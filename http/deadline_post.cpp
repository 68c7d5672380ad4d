#include "http/deadline_post.hpp"

#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace sluice::http {

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::uint64_t max_reply_bytes = 4u << 20;

/// The Host header: an IPv6 address goes back into brackets, a non-default port is kept.
std::string host_header(const http_url& url) {
  std::string host = url.host.find(':') == std::string::npos ? url.host : "[" + url.host + "]";
  return url.port == 80 ? host : host + ":" + std::to_string(url.port);
}

/// One exchange: resolve → connect → write → read, each step started by the previous
/// one's completion handler, all on one thread inside `io_context::run_for`.
struct exchange {
  net::io_context ioc; // first member: destroyed last, after the objects that use it
  tcp::resolver resolver{ioc};
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bhttp::request<bhttp::string_body> request;
  bhttp::response_parser<bhttp::string_body> parser;
  const char* step = "resolving the host";
  beast::error_code error;
  std::string refusal; ///< why `check` refused an address, if it did
  bool done = false;

  void finish(beast::error_code ec) {
    error = ec;
    done = true;
  }

  void start(const http_url& url, const address_check& check) {
    resolver.async_resolve(
        url.host, std::to_string(url.port),
        [this, &check](beast::error_code ec, tcp::resolver::results_type results) {
          if (ec)
            return finish(ec);
          std::vector<tcp::endpoint> allowed;
          for (const auto& r : results) {
            auto why = check ? check(r.endpoint().address()) : std::string{};
            if (why.empty())
              allowed.push_back(r.endpoint());
            else if (refusal.empty())
              refusal = why;
          }
          if (allowed.empty()) {
            step = "connecting";
            return finish(net::error::access_denied);
          }
          step = "connecting";
          stream.async_connect(allowed, [this](beast::error_code ec2, const tcp::endpoint&) {
            if (ec2)
              return finish(ec2);
            send();
          });
        });
  }

  void send() {
    step = "sending the request";
    bhttp::async_write(stream, request, [this](beast::error_code ec, std::size_t) {
      if (ec)
        return finish(ec);
      step = "reading the reply";
      bhttp::async_read(stream, buffer, parser,
                        [this](beast::error_code ec2, std::size_t) { finish(ec2); });
    });
  }
};

} // namespace

http_reply http_post(const http_url& url, const std::string& body,
                     std::chrono::milliseconds timeout, const address_check& check) {
  exchange x;
  x.request.method(bhttp::verb::post);
  x.request.target(url.target);
  x.request.version(11);
  x.request.set(bhttp::field::host, host_header(url));
  x.request.set(bhttp::field::user_agent, "sluice-webhook");
  x.request.set(bhttp::field::content_type, "application/json");
  x.request.keep_alive(false);
  x.request.body() = body;
  x.request.prepare_payload();
  x.parser.body_limit(max_reply_bytes);

  // The stream's deadline covers connect, write and read; run_for also bounds the
  // resolver, which the stream's timer does not see.
  x.stream.expires_after(timeout);
  x.start(url, check);
  x.ioc.run_for(timeout);

  if (!x.done || x.error == beast::error::timeout)
    throw http_post_error(std::string(x.step) + ": timed out", true);
  if (x.error == net::error::access_denied && !x.refusal.empty())
    throw http_post_error(std::string(x.step) + ": refused by policy: " + x.refusal, false);
  if (x.error)
    throw http_post_error(std::string(x.step) + ": " + x.error.message(), false);
  auto& reply = x.parser.get();
  return {static_cast<int>(reply.result_int()), std::move(reply.body())};
}

} // namespace sluice::http
