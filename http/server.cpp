#include "http/server.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <spdlog/spdlog.h>

#include "http/envelope.hpp"
#include "http/log_throttle.hpp"
#include "http/tls_context.hpp"
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
  /// One event loop per I/O thread (`--http-threads`), each told it has one
  /// thread. A connection stays on the loop that accepted it, so its reads,
  /// its answer (posted from the actors) and its writes never hop between
  /// threads, and a post wakes exactly the thread that will run it; with one
  /// loop shared by all threads every answer woke whichever thread was idle.
  std::vector<std::unique_ptr<net::io_context>> loops;
  /// Keeps a loop running while it holds no connection, until `stop` ends.
  std::vector<net::executor_work_guard<net::io_context::executor_type>> keep_running;
  /// Round robin over `loops` for new connections (the acceptor's strand only).
  size_t next_loop = 0;
  /// On its own strand: accept handlers and the close in `stop` never run at once.
  tcp::acceptor acceptor;
  net::signal_set signals;
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};
  /// Bytes of request bodies admitted and not yet answered (`admit`).
  std::atomic<uint64_t> inflight_bytes{0};
  /// Bytes admitted per budget key (a queue's sends); keys at 0 are erased.
  std::mutex by_key_mutex;
  std::unordered_map<std::string, uint64_t> by_key;
  /// Open connections (sessions alive).
  std::atomic<unsigned> connections{0};
  /// After a failed accept (e.g. EMFILE) the next waits this long, doubling
  /// up to a second; a successful accept resets it. Touched only on the
  /// acceptor's strand.
  net::steady_timer accept_backoff{acceptor.get_executor()};
  std::chrono::milliseconds backoff{0};
  log_throttle accept_errors{std::chrono::seconds(1)};
  log_throttle over_limit{std::chrono::seconds(1)};

  impl(const router& r, metrics::registry* m, server_options o)
    : routes(r), metrics(m), opts(std::move(o)), loops(make_loops(opts.threads)),
      acceptor(net::make_strand(*loops.front())), signals(*loops.front()) {
    for (auto& loop : loops)
      keep_running.push_back(net::make_work_guard(*loop));
  }

  static std::vector<std::unique_ptr<net::io_context>> make_loops(unsigned threads) {
    std::vector<std::unique_ptr<net::io_context>> out;
    for (unsigned i = 0; i < std::max(1u, threads); ++i)
      out.push_back(std::make_unique<net::io_context>(1));
    return out;
  }

  void accept();
  void on_accept(beast::error_code ec, tcp::socket s);
  void connection_opened() {
    ++connections;
    if (metrics != nullptr)
      metrics->connections_changed(1);
  }
  void connection_closed() {
    --connections;
    if (metrics != nullptr)
      metrics->connections_changed(-1);
  }
  void drain(std::shared_ptr<net::steady_timer> timer,
             std::chrono::steady_clock::time_point deadline);
};

namespace {

/// Room for reading a body: Beast reads into the buffer's free capacity (at
/// least 512 bytes), and without room a 25 KB batch body took ~50 reads. Only
/// a connection reading a body holds it; an idle one gives it back.
constexpr size_t body_buffer_bytes = 32 * 1024;

using plain_stream = beast::tcp_stream;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

/// One connection's requests, one at a time. `Stream` is `plain_stream` or
/// `tls_stream`; the two differ only in the handshake before the first
/// request and in how the connection closes.
template <class Stream>
class session : public std::enable_shared_from_this<session<Stream>> {
  static constexpr bool tls = std::is_same_v<Stream, tls_stream>;
  using std::enable_shared_from_this<session<Stream>>::shared_from_this;

public:
  /// `tls_ctx` is the `net::ssl::context&` for a `tls_stream`, nothing for a plain one.
  template <class... TlsContext>
  session(tcp::socket&& socket, server::impl& srv, TlsContext&... tls_ctx)
    : stream_(std::move(socket), tls_ctx...), srv_(srv), answer_deadline_(stream_.get_executor()) {
    srv_.connection_opened();
    beast::error_code ec;
    auto ep = tcp_layer().socket().remote_endpoint(ec);
    if (!ec)
      peer_ = ep.address().to_string();
  }
  ~session() {
    release();
    srv_.connection_closed();
  }
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  void start() {
    if constexpr (tls)
      net::dispatch(stream_.get_executor(),
                    beast::bind_front_handler(&session::handshake, shared_from_this()));
    else
      net::dispatch(stream_.get_executor(),
                    beast::bind_front_handler(&session::read, shared_from_this()));
  }

private:
  beast::tcp_stream& tcp_layer() { return beast::get_lowest_layer(stream_); }

  /// The TLS handshake and the first request's headers share one header
  /// time-out, so a client that stalls in the handshake holds its connection
  /// no longer than one that stalls in its headers.
  void handshake() {
    tcp_layer().expires_after(srv_.opts.header_timeout);
    stream_.async_handshake(net::ssl::stream_base::server,
                            beast::bind_front_handler(&session::on_handshake, shared_from_this()));
  }

  void on_handshake(beast::error_code ec) {
    if (!ec)
      return read_header();
    // A port scanner, a plain-HTTP client, an expired or distrusted
    // certificate on the client's side: nothing to answer (there is no TLS
    // channel to answer on), so the connection just closes.
    if (srv_.metrics != nullptr)
      srv_.metrics->connection_refused("tls_handshake");
    spdlog::debug("TLS handshake with {} failed: {}", peer_, ec.message());
  }

  /// Reads the next request's headers (within the header time-out), then its
  /// body (within the read time-out).
  void read() {
    tcp_layer().expires_after(srv_.opts.header_timeout);
    read_header();
  }

  void read_header() {
    if (buffer_.size() == 0)
      buffer_.shrink_to_fit(); // idle: hold no read buffer
    parser_.emplace();
    parser_->body_limit(srv_.opts.max_body_bytes);
    parser_->header_limit(srv_.opts.max_header_bytes);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec || parser_->is_done())
      return on_read(ec, 0);
    auto& head = parser_->get();
    auto key = srv_.opts.budget_key ? srv_.opts.budget_key(
                   std::string_view{head.method_string().data(), head.method_string().size()},
                   std::string_view{head.target().data(), head.target().size()})
                                    : std::string{};
    if (auto why = admit(parser_->content_length().value_or(0), std::move(key)); !why.empty())
      return shed(why);
    if (buffer_.capacity() - buffer_.size() < body_buffer_bytes)
      buffer_.reserve(buffer_.size() + body_buffer_bytes);
    tcp_layer().expires_after(srv_.opts.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout
        || ec == net::error::operation_aborted || ec == net::error::connection_reset
        || ec == net::error::eof)
      return close();
    if constexpr (tls) {
      // The client went away without a TLS close, or sent records that do
      // not decrypt: no TLS channel left to answer on.
      if (ec == net::ssl::error::stream_truncated
          || ec.category() == net::error::get_ssl_category())
        return close();
    }
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
    if (auto key = msg.find("Idempotency-Key"); key != msg.end())
      req.idempotency_key = std::string{key->value().data(), key->value().size()};
    req.body = std::move(msg.body());
    req.peer = peer_;
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    parser_.reset();
    tcp_layer().expires_never(); // waiting for the answer: see answer_deadline_
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

  /// Reserves `bytes` of the bounds on request bodies held in memory until
  /// this request is answered: the process-wide `max_inflight_bytes`, and
  /// `max_key_inflight_bytes` for requests with the same `budget_key` (a
  /// queue's sends). A request is always admitted when nothing else holds
  /// that budget, so one larger than a bound still gets through alone. Empty
  /// when admitted, else why not.
  std::string admit(uint64_t bytes, std::string key) {
    auto held = srv_.inflight_bytes.load();
    do {
      if (held > 0 && held + bytes > srv_.opts.max_inflight_bytes)
        return "the server holds " + std::to_string(held)
               + " bytes of requests in memory, its limit (--max-inflight-bytes "
               + std::to_string(srv_.opts.max_inflight_bytes) + "); retry in a second";
    } while (!srv_.inflight_bytes.compare_exchange_weak(held, held + bytes));
    if (!key.empty()) {
      std::lock_guard<std::mutex> lock{srv_.by_key_mutex};
      auto& of_key = srv_.by_key[key];
      if (of_key > 0 && of_key + bytes > srv_.opts.max_key_inflight_bytes) {
        srv_.inflight_bytes -= bytes;
        return "this queue's sends hold " + std::to_string(of_key)
               + " bytes in memory, the limit per queue (--max-queue-inflight-bytes "
               + std::to_string(srv_.opts.max_key_inflight_bytes) + "); retry in a second";
      }
      of_key += bytes;
      reserved_key_ = std::move(key);
    }
    reserved_ = bytes;
    return {};
  }

  void release() {
    srv_.inflight_bytes -= reserved_;
    if (!reserved_key_.empty()) {
      std::lock_guard<std::mutex> lock{srv_.by_key_mutex};
      auto it = srv_.by_key.find(reserved_key_);
      if (it != srv_.by_key.end() && (it->second -= reserved_) == 0)
        srv_.by_key.erase(it);
      reserved_key_.clear();
    }
    reserved_ = 0;
  }

  /// Answers a request whose body would take the server past a bound with
  /// 429 before reading it, and closes the connection (the unread body).
  void shed(const std::string& why) {
    keep_alive_ = false;
    version_ = parser_->get().version();
    ++srv_.in_flight;
    started_ = std::chrono::steady_clock::now();
    labels_ = route_labels{"shed", "other"};
    write(fail_retry_after(why, 1));
  }

  /// Writes the one response of the current request and counts it (status,
  /// route, time since the request was read), whoever made it.
  void write(response r) {
    release();
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
    if (res->keep_alive())
      res->set(bhttp::field::keep_alive,
               "timeout=" + std::to_string(srv_.opts.header_timeout.count()));
    res->body() = std::move(r.body);
    res->prepare_payload();
    tcp_layer().expires_after(srv_.opts.write_timeout);
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                         --self->srv_.in_flight;
                         if (ec || res->need_eof())
                           return self->close();
                         self->read();
                       });
  }

  /// Ends the connection from this side; the socket closes when the last
  /// handler lets go of the session.
  void close() {
    if constexpr (tls) {
      // Sends TLS's close_notify and waits (within the write time-out) for
      // the client's; a client that already closed ends it at once.
      tcp_layer().expires_after(srv_.opts.write_timeout);
      stream_.async_shutdown([self = shared_from_this()](beast::error_code) {});
    } else {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  Stream stream_;
  server::impl& srv_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string peer_;         ///< the client's address
  uint64_t reserved_ = 0;    ///< bytes of `inflight_bytes` this request holds
  std::string reserved_key_; ///< and of which budget key's
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
  auto& loop = *loops[next_loop++ % loops.size()];
  acceptor.async_accept(loop.get_executor(), beast::bind_front_handler(&impl::on_accept, this));
}

void server::impl::on_accept(beast::error_code ec, tcp::socket s) {
  if (!acceptor.is_open())
    return;
  if (ec) {
    // Out of descriptors (EMFILE/ENFILE), memory, or a connection reset
    // before it was accepted. Accepting again at once spins on the same
    // error; wait, and wait longer while it persists.
    if (metrics != nullptr)
      metrics->connection_refused("accept_error");
    backoff =
        std::clamp(backoff * 2, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
    if (auto n = accept_errors.pass())
      spdlog::warn("accepting a connection failed ({} times in the last second): {}; "
                   "retrying in {} ms. Out of descriptors? Raise the limit (ulimit -n, "
                   "LimitNOFILE=) or lower --max-connections",
                   n, ec.message(), backoff.count());
    accept_backoff.expires_after(backoff);
    accept_backoff.async_wait([this](beast::error_code waited) {
      if (!waited && acceptor.is_open())
        accept();
    });
    return;
  }
  backoff = std::chrono::milliseconds(0);
  if (connections.load() >= opts.max_connections) {
    if (metrics != nullptr)
      metrics->connection_refused("limit");
    if (auto n = over_limit.pass())
      spdlog::warn("{} connections are open, the limit of --max-connections; closed {} new "
                   "ones in the last second",
                   opts.max_connections, n);
    beast::error_code ignored;
    s.close(ignored);
  } else {
    beast::error_code ignored;
    s.set_option(tcp::no_delay(true), ignored);
    if (opts.tls)
      std::make_shared<session<tls_stream>>(std::move(s), *this, opts.tls->native().ctx)->start();
    else
      std::make_shared<session<plain_stream>>(std::move(s), *this)->start();
  }
  accept();
}

void server::impl::drain(std::shared_ptr<net::steady_timer> timer,
                         std::chrono::steady_clock::time_point deadline) {
  if (in_flight.load() <= 0 || std::chrono::steady_clock::now() >= deadline) {
    for (auto& loop : loops)
      loop->stop();
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
  for (size_t i = 1; i < impl_->loops.size(); ++i)
    extra.emplace_back([loop = impl_->loops[i].get()] { loop->run(); });
  impl_->loops.front()->run();
  for (auto& t : extra)
    t.join();
}

void server::stop(std::chrono::seconds grace) {
  net::post(impl_->acceptor.get_executor(), [this, grace] {
    if (impl_->stopping.exchange(true))
      return;
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->accept_backoff.cancel();
    impl_->signals.cancel(ec);
    auto timer = std::make_shared<net::steady_timer>(*impl_->loops.front());
    impl_->drain(timer, std::chrono::steady_clock::now() + grace);
  });
}

} // namespace sluice::http
