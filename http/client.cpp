#include "http/client.hpp"

#include <optional>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "http/tls.hpp"
#include "http/tls_context.hpp"

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
  std::optional<net::ssl::context> tls; ///< set: HTTPS
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  bool connected() const { return plain.has_value() || secure.has_value(); }
  void disconnect() {
    plain.reset();
    secure.reset();
  }

  void connect() {
    tcp::resolver resolver{ioc};
    auto endpoints = resolver.resolve(host, std::to_string(port));
    buffer.clear();
    if (!tls) {
      plain.emplace(ioc);
      open(*plain, endpoints);
      return;
    }
    secure.emplace(ioc, *tls);
    open(beast::get_lowest_layer(*secure), endpoints);
    handshake();
  }

  static void open(beast::tcp_stream& s, const tcp::resolver::results_type& endpoints) {
    s.connect(endpoints);
    s.socket().set_option(tcp::no_delay(true));
  }

  /// Verifies that the certificate names `host` (OpenSSL's own check, so a
  /// mismatch has a reason of its own) and sends it as SNI unless it is an
  /// IP address, which SNI may not carry.
  void handshake() {
    SSL* ssl = secure->native_handle();
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    beast::error_code not_ip;
    net::ip::make_address(host, not_ip);
    if (not_ip) {
      SSL_set_tlsext_host_name(ssl, host.c_str());
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
    } else {
      X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    }
    beast::error_code ec;
    secure->handshake(net::ssl::stream_base::client, ec);
    if (!ec)
      return;
    auto verdict = SSL_get_verify_result(ssl);
    secure.reset();
    if (verdict != X509_V_OK)
      throw certificate_error(std::string{"the server's certificate was refused: "}
                              + X509_verify_cert_error_string(verdict));
    throw beast::system_error(ec, "TLS handshake");
  }

  response exchange(const bhttp::request<bhttp::string_body>& req) {
    return secure ? exchange(*secure, req) : exchange(*plain, req);
  }

  template <class Stream>
  response exchange(Stream& stream, const bhttp::request<bhttp::string_body>& req) {
    beast::get_lowest_layer(stream).expires_after(timeout);
    bhttp::write(stream, req);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64u << 20);
    bhttp::read(stream, buffer, parser);
    auto& res = parser.get();
    response out;
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    for (auto& f : res)
      out.headers.emplace_back(std::string{f.name_string()}, std::string{f.value()});
    auto ct = res[bhttp::field::content_type];
    out.content_type = std::string{ct.data(), ct.size()};
    if (!res.keep_alive())
      disconnect();
    return out;
  }
};

client::client(std::string host, uint16_t port, std::chrono::milliseconds timeout)
  : impl_(std::make_unique<impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
}

client::client(std::string host, uint16_t port, const client_tls& tls,
               std::chrono::milliseconds timeout)
  : client(std::move(host), port, timeout) {
  impl_->tls.emplace(client_context(tls.ca_file));
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
    bool fresh = !impl_->connected();
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
    impl_->disconnect();
    throw std::runtime_error(what_failed(method, target) + e.what());
  } catch (const certificate_error& e) {
    throw certificate_error(what_failed(method, target) + e.what());
  }
}

std::string client::what_failed(const std::string& method, const std::string& target) const {
  return (impl_->tls ? "HTTPS " : "HTTP ") + method + " " + target + " to " + impl_->host + ":"
         + std::to_string(impl_->port) + " failed: ";
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
