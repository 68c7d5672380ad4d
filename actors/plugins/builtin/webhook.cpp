#include "actors/plugins/builtin/webhook.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "actors/plugins/builtin/env_number.hpp"
#include "actors/plugins/builtin/message_json.hpp"
#include "actors/plugins/builtin/webhook_reply.hpp"
#include "http/async_post.hpp"
#include "http/outbound_policy.hpp"
#include "http/url.hpp"

namespace sluice::builtin {

namespace {

/// How much of an error reply's body goes into the failure text.
constexpr std::size_t reply_excerpt_bytes = 200;

/// `{"queue": name, "messages": [{"id", "timestamp_ms", "attempts", "content_type",
/// "body"}…]}`.
std::string request_body(const MessageBatch& batch) {
  http::json_writer w;
  w.begin_object().key("queue").value(batch.queue_name()).key("messages").begin_array();
  for (const auto& message : batch.messages()) {
    w.begin_object();
    write_message_members(w, message);
    w.end_object();
  }
  return w.end_array().end_object().take();
}

/// The outbound policy's address rule, holding the policy in force now (or none).
http::address_check policy_check() {
  auto policy = http::outbound_policy::current();
  if (!policy)
    return {};
  return [policy](const boost::asio::ip::address& a) { return policy->check_address(a); };
}

/// What a finished POST means for the batch: applies the reply's decisions, or throws
/// std::runtime_error with the failure text (docs/plugins.md "Failures").
void settle(const http::post_outcome& outcome, MessageBatch& batch, const std::string& url_text,
            std::chrono::milliseconds timeout) {
  if (!outcome.reply) {
    if (outcome.timed_out)
      throw std::runtime_error("webhook: no reply from " + url_text + " within TIMEOUT_MS="
                               + std::to_string(timeout.count()) + " ms (" + outcome.error + ")");
    throw std::runtime_error("webhook: cannot reach " + url_text + ": " + outcome.error);
  }
  const http::http_reply& reply = *outcome.reply;
  if (reply.status < 200 || reply.status > 299) {
    // "Decided, then threw" (docs/plugins.md): a decision body on an error status is
    // applied, then the invocation fails; messages it decided keep their decision, the
    // rest are retried. A body that decides nothing (or is garbled) retries everything.
    std::optional<webhook_reply> decided;
    try {
      decided = read_webhook_reply(reply.body);
    } catch (const std::invalid_argument&) {
      decided.reset();
    }
    const bool applies = decided && !decided->empty();
    if (applies)
      apply_webhook_reply(*decided, batch);
    throw std::runtime_error("webhook: POST " + url_text + " answered HTTP "
                             + std::to_string(reply.status)
                             + (applies ? " (its decisions are kept, every other message is "
                                          "retried): "
                                        : " (every message is retried): ")
                             + reply.body.substr(0, reply_excerpt_bytes));
  }

  std::optional<webhook_reply> instructions;
  try {
    instructions = read_webhook_reply(reply.body);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error("webhook: the reply of " + url_text + " (HTTP "
                             + std::to_string(reply.status) + ") is not understood: " + e.what()
                             + " (every message is retried)");
  }
  if (instructions)
    apply_webhook_reply(*instructions, batch);
}

} // namespace

void webhook_plugin::queue_async(std::shared_ptr<AsyncInvocation> invocation) {
  Env& env = invocation->env();
  const auto url_text = env.get("URL");
  if (!url_text || url_text->empty())
    throw std::runtime_error("webhook: env.URL is not set (deploy the script with "
                             "\"env\": {\"URL\": \"http://host:port/path\"})");
  http::http_url url;
  try {
    url = http::parse_http_url(*url_text);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(std::string("webhook: env.URL: ") + e.what());
  }
  if (auto policy = http::outbound_policy::current()) {
    // Scripts stored before a policy change are held to the policy in force. Who
    // deployed is not known here, so only the rules for every deployer apply.
    if (auto why = policy->check_host(url.host, true); !why.empty())
      throw std::runtime_error("webhook: env.URL: " + why);
  }
  const std::chrono::milliseconds timeout(positive_env(env, "webhook", webhook_timeout_ms));

  // Runs on the poster's I/O thread; the invocation stays alive (and its batch valid)
  // until it is completed here.
  auto done = [invocation, url_text = *url_text, timeout](http::post_outcome outcome) {
    try {
      settle(outcome, invocation->batch(), url_text, timeout);
      invocation->succeed();
    } catch (const std::exception& e) {
      invocation->fail(e.what());
    }
  };
  http::async_poster::shared().post(url, request_body(invocation->batch()), timeout, policy_check(),
                                    std::move(done));
}

} // namespace sluice::builtin
