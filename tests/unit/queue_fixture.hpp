#pragma once

#include <string>
#include <vector>

#include "hub_fixture.hpp"

namespace sluice::test {

/// A hub with one queue, and helpers speaking the data-plane messages.
struct queue_fixture : test::hub_fixture {
  std::string qid;

  explicit queue_fixture(storage::backend* stores = nullptr) : hub_fixture(stores) {
    qid = create("jobs")->id;
  }

  outgoing_message text(std::string body, caf::optional<int64_t> delay = caf::none) {
    return {std::move(body), static_cast<uint8_t>(storage::content_type::text), delay};
  }

  caf::expected<queue_stats> send(std::vector<outgoing_message> ms,
                                  caf::optional<int64_t> batch_delay = caf::none,
                                  const std::string& queue = {}) {
    auto r = sent(std::move(ms), batch_delay, queue);
    if (!r)
      return std::move(r.error());
    return r->stats;
  }

  /// As `send`, answering with the messages' ids too.
  caf::expected<sent_messages> sent(std::vector<outgoing_message> ms,
                                    caf::optional<int64_t> batch_delay = caf::none,
                                    const std::string& queue = {}) {
    return ask_queue<sent_messages>(
        send_messages{"acct", queue.empty() ? qid : queue, std::move(ms), batch_delay});
  }

  pulled_batch pull(int64_t n = 10, int64_t visibility_ms = 30000, const std::string& queue = {}) {
    auto r = ask_queue<pulled_batch>(
        pull_messages{"acct", queue.empty() ? qid : queue, n, visibility_ms});
    REQUIRE(r);
    return *r;
  }

  ack_result settle(std::vector<std::string> acks, std::vector<retry_item> retries = {}) {
    auto r = ask_queue<ack_result>(ack_messages{"acct", qid, std::move(acks), std::move(retries)});
    REQUIRE(r);
    return *r;
  }

  void add_consumer(int64_t max_retries, const std::string& dlq) {
    consumer_patch c;
    c.type = std::string{"http_pull"};
    c.max_retries = max_retries;
    if (!dlq.empty())
      c.dead_letter_queue = dlq;
    REQUIRE(ask<storage::consumer_record>(hub, put_consumer{"acct", qid, "", c}));
  }
};

} // namespace sluice::test
