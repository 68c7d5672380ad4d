#include "http/deadline_post.hpp"

#include <boost/asio/io_context.hpp>

#include "http/async_post.hpp"

namespace sluice::http {

http_reply http_post(const http_url& url, const std::string& body,
                     std::chrono::milliseconds timeout, const address_check& check) {
  boost::asio::io_context ioc;
  post_outcome outcome;
  async_http_post(ioc, url, body, timeout, check,
                  [&outcome](post_outcome o) { outcome = std::move(o); });
  ioc.run(); // returns once the exchange finished: its timer bounds it
  if (!outcome.reply)
    throw http_post_error(outcome.error, outcome.timed_out);
  return std::move(*outcome.reply);
}

} // namespace sluice::http
