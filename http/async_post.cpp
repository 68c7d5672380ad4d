#include "http/async_post.hpp"

#include <algorithm>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
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
/// one's completion, all on one strand; a timer closes everything at the deadline. Owned
/// by the handlers in flight (shared_from_this), so it lives exactly as long as needed.
struct exchange : std::enable_shared_from_this<exchange> {
  exchange(net::io_context& ioc, address_check c, post_done d)
    : strand(net::make_strand(ioc)), resolver(strand), stream(strand), timer(strand),
      check(std::move(c)), done(std::move(d)) {}

  net::strand<net::io_context::executor_type> strand;
  tcp::resolver resolver;
  beast::tcp_stream stream;
  net::steady_timer timer;
  beast::flat_buffer buffer;
  bhttp::request<bhttp::string_body> request;
  bhttp::response_parser<bhttp::string_body> parser;
  address_check check;
  post_done done;
  const char* step = "resolving the host";
  std::string refusal; ///< why `check` refused an address, if it did
  bool timed_out = false;
  bool finished = false;

  void start(const http_url& url, std::chrono::milliseconds timeout) {
    timer.expires_after(timeout);
    timer.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->expire();
    });
    resolver.async_resolve(
        url.host, std::to_string(url.port),
        [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
          self->resolved(ec, results);
        });
  }

  void expire() {
    if (finished)
      return;
    timed_out = true;
    resolver.cancel();
    beast::error_code ignored;
    stream.socket().close(ignored); // the step in progress completes with an error
  }

  void resolved(beast::error_code ec, const tcp::resolver::results_type& results) {
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
    step = "connecting";
    if (allowed.empty())
      return finish(net::error::access_denied);
    stream.async_connect(allowed,
                         [self = shared_from_this()](beast::error_code ec2, const tcp::endpoint&) {
                           if (ec2)
                             return self->finish(ec2);
                           self->send();
                         });
  }

  void send() {
    step = "sending the request";
    bhttp::async_write(
        stream, request, [self = shared_from_this()](beast::error_code ec, std::size_t) {
          if (ec)
            return self->finish(ec);
          self->step = "reading the reply";
          bhttp::async_read(self->stream, self->buffer, self->parser,
                            [self](beast::error_code ec2, std::size_t) { self->finish(ec2); });
        });
  }

  void finish(beast::error_code ec) {
    if (finished)
      return;
    finished = true;
    timer.cancel();
    beast::error_code ignored;
    stream.socket().close(ignored);
    post_outcome out;
    if (timed_out) {
      out.timed_out = true;
      out.error = std::string(step) + ": timed out";
    } else if (ec == net::error::access_denied && !refusal.empty()) {
      out.error = std::string(step) + ": refused by policy: " + refusal;
    } else if (ec) {
      out.error = std::string(step) + ": " + ec.message();
    } else {
      auto& reply = parser.get();
      out.reply = http_reply{static_cast<int>(reply.result_int()), std::move(reply.body())};
    }
    post_done d = std::move(done);
    d(std::move(out));
  }
};

} // namespace

void async_http_post(net::io_context& ioc, const http_url& url, std::string body,
                     std::chrono::milliseconds timeout, address_check check, post_done done) {
  auto x = std::make_shared<exchange>(ioc, std::move(check), std::move(done));
  x->request.method(bhttp::verb::post);
  x->request.target(url.target);
  x->request.version(11);
  x->request.set(bhttp::field::host, host_header(url));
  x->request.set(bhttp::field::user_agent, "sluice-webhook");
  x->request.set(bhttp::field::content_type, "application/json");
  x->request.keep_alive(false);
  x->request.body() = std::move(body);
  x->request.prepare_payload();
  x->parser.body_limit(max_reply_bytes);
  // Started on the strand, so nothing of the exchange runs on the caller's thread.
  net::post(x->strand, [x, url, timeout] { x->start(url, timeout); });
}

struct async_poster::impl {
  net::io_context ioc;
  net::executor_work_guard<net::io_context::executor_type> work = net::make_work_guard(ioc);
  std::vector<std::thread> threads;
};

async_poster::async_poster(std::size_t threads) : impl_(std::make_unique<impl>()) {
  for (std::size_t i = 0; i < std::max<std::size_t>(threads, 1); ++i)
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
}

async_poster::~async_poster() {
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads)
    t.join();
}

void async_poster::post(const http_url& url, std::string body, std::chrono::milliseconds timeout,
                        address_check check, post_done done) {
  async_http_post(impl_->ioc, url, std::move(body), timeout, std::move(check), std::move(done));
}

async_poster& async_poster::shared() {
  static async_poster poster(1);
  return poster;
}

} // namespace sluice::http
