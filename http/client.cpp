#include "http/client.hpp"

#include <optional>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace sluice::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct client::impl {
  std::string host;
  uint16_t port;
  std::chrono::milliseconds timeout;
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  void connect() {
    stream.emplace(ioc);
    tcp::resolver resolver{ioc};
    stream->expires_after(timeout);
    stream->connect(resolver.resolve(host, std::to_string(port)));
    stream->socket().set_option(tcp::no_delay(true));
    buffer.clear();
  }

  response exchange(const bhttp::request<bhttp::string_body>& req) {
    stream->expires_after(timeout);
    bhttp::write(*stream, req);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64u << 20);
    bhttp::read(*stream, buffer, parser);
    auto& res = parser.get();
    response out;
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    for (auto& f : res)
      out.headers.emplace_back(std::string{f.name_string()}, std::string{f.value()});
    auto ct = res[bhttp::field::content_type];
    out.content_type = std::string{ct.data(), ct.size()};
    if (!res.keep_alive())
      stream.reset();
    return out;
  }
};

client::client(std::string host, uint16_t port, std::chrono::milliseconds timeout)
  : impl_(std::make_unique<impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
}

client::~client() = default;

response client::send(const std::string& method, const std::string& target, const std::string& body,
                      const std::vector<std::pair<std::string, std::string>>& headers) {
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  if (req.method() == bhttp::verb::unknown)
    req.method_string(method);
  req.set(bhttp::field::host, impl_->host);
  req.set(bhttp::field::user_agent, "sluice-client");
  if (!body.empty())
    req.set(bhttp::field::content_type, "application/json");
  for (auto& [k, v] : headers)
    req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  req.keep_alive(true);
  try {
    bool fresh = !impl_->stream.has_value();
    if (fresh)
      impl_->connect();
    try {
      return impl_->exchange(req);
    } catch (const beast::system_error&) {
      if (fresh)
        throw;
      impl_->connect(); // the server closed an idle connection: retry once
      return impl_->exchange(req);
    }
  } catch (const beast::system_error& e) {
    impl_->stream.reset();
    throw std::runtime_error("HTTP " + method + " " + target + " to " + impl_->host + ":"
                             + std::to_string(impl_->port) + " failed: " + e.what());
  }
}

std::string client::send_raw(const std::string& bytes) {
  net::io_context ioc;
  beast::tcp_stream s{ioc};
  tcp::resolver resolver{ioc};
  s.expires_after(impl_->timeout);
  s.connect(resolver.resolve(impl_->host, std::to_string(impl_->port)));
  net::write(s, net::buffer(bytes));
  std::string out;
  beast::error_code ec;
  char buf[4096];
  for (;;) {
    auto n = s.read_some(net::buffer(buf), ec);
    out.append(buf, n);
    if (ec)
      break;
  }
  return out;
}

} // namespace sluice::http
