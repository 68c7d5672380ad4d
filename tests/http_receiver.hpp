#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "http/router.hpp"
#include "http/server.hpp"

namespace sluice::test {

/// A real HTTP server on 127.0.0.1 (an ephemeral port), built on Sluice's own
/// `http::server`, that records every request and answers with `reply` after
/// `delay`: the receiving end of a webhook in tests. Delayed answers wait on
/// their own threads, so slow replies do not hold the I/O thread and
/// `max_in_flight` tells how many requests the client had open at once.
/// Replies queued with `script` are used first, one per request, in order.
/// Delays still running when the receiver is destroyed are cut short.
class http_receiver {
public:
  struct received {
    std::string method;
    std::string path;
    std::string body;
    std::string query;        ///< the raw text after '?', may be empty
    std::string content_type; ///< the request's Content-Type header
  };
  using reply_fn = std::function<http::response(const http::request&)>;

  explicit http_receiver(reply_fn reply = ok_empty, std::chrono::milliseconds delay = {})
    : reply_(std::move(reply)), delay_(delay) {
    auto handle = [this](http::request& req, http::path_params&, http::responder done) {
      on_request(req, std::move(done));
    };
    for (const char* method : {"POST", "PUT", "GET"}) {
      routes_.add("any", method, "/{a}", handle);
      routes_.add("any", method, "/{a}/{b}", handle);
    }
    http::server_options o;
    o.host = "127.0.0.1";
    o.port = 0;
    // One I/O thread: delayed replies wait on threads of their own, and with
    // more, http::server's stop() can close the acceptor while another I/O
    // thread re-arms async_accept (a crash seen when receivers come and go fast).
    o.threads = 1;
    server_ = std::make_unique<http::server>(routes_, nullptr, o);
    if (auto err = server_->listen(); !err.empty())
      throw std::runtime_error("http_receiver: " + err);
    thread_ = std::thread([this] { server_->run(); });
  }

  ~http_receiver() {
    server_->stop(std::chrono::seconds(0));
    thread_.join();
    std::vector<std::thread> waiting;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
      waiting.swap(waiting_);
    }
    stopped_.notify_all();
    for (auto& t : waiting)
      t.join();
  }

  http_receiver(const http_receiver&) = delete;
  http_receiver& operator=(const http_receiver&) = delete;

  static http::response ok_empty(const http::request&) { return {200, "", "text/plain", {}}; }

  /// Queues `reply`, sent after `delay`, for the next request not yet answered
  /// by an earlier scripted reply; without a script, `reply` and `delay` of the
  /// constructor answer.
  void script(http::response reply, std::chrono::milliseconds delay = {}) {
    std::lock_guard<std::mutex> lock(mutex_);
    script_.push_back({std::move(reply), delay});
  }

  /// `http://127.0.0.1:<port><path>`.
  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }

  std::vector<received> requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return received_;
  }
  size_t count() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return received_.size();
  }
  /// The most requests that were open (received, not yet answered) at once.
  size_t max_in_flight() const { return max_in_flight_.load(); }

private:
  struct scripted {
    http::response reply;
    std::chrono::milliseconds delay;
  };

  void on_request(const http::request& req, http::responder done) {
    std::optional<scripted> next;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      received_.push_back({req.method, req.path, req.body, req.query, req.content_type});
      if (!script_.empty()) {
        next = std::move(script_.front());
        script_.pop_front();
      }
    }
    auto answer = next ? std::move(next->reply) : reply_(req);
    const auto delay = next ? next->delay : delay_;
    auto now = ++in_flight_;
    for (auto seen = max_in_flight_.load(); now > seen;)
      if (max_in_flight_.compare_exchange_weak(seen, now))
        break;
    if (delay.count() == 0) {
      --in_flight_;
      done(std::move(answer));
      return;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    waiting_.emplace_back(
        [this, delay, answer = std::move(answer), done = std::move(done)]() mutable {
          {
            std::unique_lock<std::mutex> wait_lock(mutex_);
            stopped_.wait_for(wait_lock, delay, [this] { return stopping_; });
          }
          --in_flight_;
          done(std::move(answer));
        });
  }

  reply_fn reply_;
  std::chrono::milliseconds delay_;
  http::router routes_;
  std::unique_ptr<http::server> server_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable stopped_;
  bool stopping_ = false; ///< cuts delays short; guarded by mutex_
  std::deque<scripted> script_;
  std::vector<received> received_;
  std::vector<std::thread> waiting_;
  std::atomic<size_t> in_flight_{0};
  std::atomic<size_t> max_in_flight_{0};
};

} // namespace sluice::test
