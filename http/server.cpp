#include "http/server.hpp"

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/envelope.hpp"
#include "metrics/registry.hpp"

namespace sluice::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct server::impl {
  const router& routes;
  metrics::registry* metrics;
  server_options opts;
  net::io_context ioc;
  /// On its own strand: accept handlers (on any I/O thread) and the close in
  /// `stop` never run at once.
  tcp::acceptor acceptor{net::make_strand(ioc)};
  net::signal_set signals{ioc};
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};

  impl(const router& r, metrics::registry* m, server_options o)
    : routes(r), metrics(m), opts(std::move(o)), ioc(static_cast<int>(opts.threads)) {}

  void accept();
  void drain(std::shared_ptr<net::steady_timer> timer,
             std::chrono::steady_clock::time_point deadline);
};

namespace {

constexpr size_t read_buffer_bytes = 32 * 1024;

class session : public std::enable_shared_from_this<session> {
public:
  session(tcp::socket&& socket, server::impl& srv)
    : stream_(std::move(socket)), srv_(srv), answer_deadline_(stream_.get_executor()) {
    // Beast reads into the free capacity of this buffer (at least 512 bytes):
    // without room, a 25 KB batch body took ~50 reads. 32 KB per connection.
    buffer_.reserve(read_buffer_bytes);
  }

  void start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&session::read, shared_from_this()));
  }

private:
  void read() {
    parser_.emplace();
    parser_->body_limit(srv_.opts.max_body_bytes);
    parser_->header_limit(srv_.opts.max_header_bytes);
    stream_.expires_after(srv_.opts.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout
        || ec == net::error::operation_aborted || ec == net::error::connection_reset
        || ec == net::error::eof)
      return close();
    if (ec) {
      // Bad input at the HTTP level: answer with the envelope, then close,
      // since the stream position is unknown.
      keep_alive_ = false;
      ++srv_.in_flight;
      started_ = std::chrono::steady_clock::now();
      labels_ = route_labels{"invalid_http", "other"};
      if (ec == bhttp::error::body_limit)
        return write(fail(errc::too_large, "request body is larger than the limit of "
                                               + std::to_string(srv_.opts.max_body_bytes)
                                               + " bytes"));
      if (ec == bhttp::error::header_limit)
        return write(fail(errc::too_large, "request headers are larger than the limit of "
                                               + std::to_string(srv_.opts.max_header_bytes)
                                               + " bytes"));
      return write(fail(errc::invalid_request, "malformed HTTP request: " + ec.message()));
    }
    auto& msg = parser_->get();
    request req;
    req.method = std::string{msg.method_string()};
    auto target = std::string_view{msg.target().data(), msg.target().size()};
    auto q = target.find('?');
    req.path = std::string{target.substr(0, q)};
    if (q != std::string_view::npos)
      req.query = std::string{target.substr(q + 1)};
    auto auth = msg[bhttp::field::authorization];
    req.authorization = std::string{auth.data(), auth.size()};
    auto content_type = msg[bhttp::field::content_type];
    req.content_type = std::string{content_type.data(), content_type.size()};
    req.body = std::move(msg.body());
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    stream_.expires_never(); // waiting for the answer: see answer_deadline_
    ++srv_.in_flight;
    started_ = std::chrono::steady_clock::now();
    auto self = shared_from_this();
    auto id = ++request_id_;
    answer_deadline_.expires_after(srv_.opts.answer_timeout);
    answer_deadline_.async_wait([self, id](beast::error_code waited) {
      if (!waited)
        self->answer(id, fail(errc::timeout, "the server did not answer in time; retry"));
    });
    // The answer is posted to this session's strand: it runs after `labels_` is set.
    labels_ = srv_.routes.dispatch(std::move(req), [self, id](response r) {
      net::post(self->stream_.get_executor(),
                [self, id, r = std::move(r)]() mutable { self->answer(id, std::move(r)); });
    });
  }

  /// The first answer to request `id` is written; a late one (after the
  /// deadline's 504) is dropped, and the connection closes after the 504
  /// since the handler may still be working.
  void answer(uint64_t id, response r) {
    if (id != request_id_ || answered_ == id)
      return;
    answered_ = id;
    if (r.status == 504)
      keep_alive_ = false;
    answer_deadline_.cancel();
    write(std::move(r));
  }

  /// Writes the one response of the current request and counts it (status,
  /// route, time since the request was read), whoever made it.
  void write(response r) {
    if (srv_.metrics != nullptr) {
      std::chrono::duration<double> took = std::chrono::steady_clock::now() - started_;
      srv_.metrics->observe_http(labels_.route, labels_.method, r.status, took.count());
    }
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(r.status), version_);
    res->set(bhttp::field::server, "sluice");
    res->set(bhttp::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers)
      res->set(k, v);
    res->keep_alive(keep_alive_ && !srv_.stopping.load());
    res->body() = std::move(r.body);
    res->prepare_payload();
    stream_.expires_after(srv_.opts.write_timeout);
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                         --self->srv_.in_flight;
                         if (ec || res->need_eof())
                           return self->close();
                         self->read();
                       });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  server::impl& srv_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  route_labels labels_;                           ///< of the request being answered
  std::chrono::steady_clock::time_point started_; ///< when it was read
  net::steady_timer answer_deadline_;             ///< 504 when the actors take longer
  uint64_t request_id_ = 0;                       ///< of the request being answered
  uint64_t answered_ = 0;                         ///< the last request id answered
};

} // namespace

void server::impl::accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket s) {
    if (!ec) {
      beast::error_code ignored;
      s.set_option(tcp::no_delay(true), ignored);
      std::make_shared<session>(std::move(s), *this)->start();
    }
    if (acceptor.is_open())
      accept();
  });
}

void server::impl::drain(std::shared_ptr<net::steady_timer> timer,
                         std::chrono::steady_clock::time_point deadline) {
  if (in_flight.load() <= 0 || std::chrono::steady_clock::now() >= deadline) {
    ioc.stop();
    return;
  }
  timer->expires_after(std::chrono::milliseconds(20));
  timer->async_wait([this, timer, deadline](beast::error_code) { drain(timer, deadline); });
}

server::server(const router& routes, metrics::registry* metrics, server_options opts)
  : impl_(std::make_unique<impl>(routes, metrics, std::move(opts))) {}

server::~server() = default;

std::string server::listen() {
  beast::error_code ec;
  auto addr = net::ip::make_address(impl_->opts.host, ec);
  if (ec)
    return "invalid listen address '" + impl_->opts.host + "': " + ec.message();
  tcp::endpoint ep{addr, impl_->opts.port};
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec)
    a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec)
    a.bind(ep, ec);
  if (!ec)
    a.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return "cannot listen on " + impl_->opts.host + ":" + std::to_string(impl_->opts.port) + ": "
           + ec.message();
  impl_->accept();
  return {};
}

uint16_t server::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void server::stop_on_signals(std::function<void()> on_signal, std::chrono::seconds grace) {
  impl_->signals.add(SIGINT);
  impl_->signals.add(SIGTERM);
  impl_->signals.async_wait([this, on_signal, grace](beast::error_code ec, int) {
    if (ec)
      return;
    if (on_signal)
      on_signal();
    stop(grace);
  });
}

void server::run() {
  std::vector<std::thread> extra;
  for (unsigned i = 1; i < impl_->opts.threads; ++i)
    extra.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : extra)
    t.join();
}

void server::stop(std::chrono::seconds grace) {
  net::post(impl_->acceptor.get_executor(), [this, grace] {
    if (impl_->stopping.exchange(true))
      return;
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->signals.cancel(ec);
    auto timer = std::make_shared<net::steady_timer>(impl_->ioc);
    impl_->drain(timer, std::chrono::steady_clock::now() + grace);
  });
}

} // namespace sluice::http
