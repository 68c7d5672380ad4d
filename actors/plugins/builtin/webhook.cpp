#include "actors/plugins/builtin/webhook.hpp"

#include <chrono>
#include <stdexcept>
#include <string>

#include "actors/plugins/builtin/env_number.hpp"
#include "actors/plugins/builtin/message_json.hpp"
#include "actors/plugins/builtin/webhook_reply.hpp"
#include "http/deadline_post.hpp"
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

http::http_reply post(const http::http_url& url, const std::string& url_text,
                      const std::string& body, std::chrono::milliseconds timeout) {
  auto policy = http::outbound_policy::current();
  http::address_check check;
  if (policy)
    check = [&policy](const boost::asio::ip::address& a) { return policy->check_address(a); };
  try {
    return http::http_post(url, body, timeout, check);
  } catch (const http::http_post_error& e) {
    if (e.timed_out())
      throw std::runtime_error("webhook: no reply from " + url_text + " within TIMEOUT_MS="
                               + std::to_string(timeout.count()) + " ms (" + e.what() + ")");
    throw std::runtime_error("webhook: cannot reach " + url_text + ": " + e.what());
  }
}

} // namespace

void webhook_plugin::queue(MessageBatch& batch, Env& env) {
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

  const http::http_reply reply = post(url, *url_text, request_body(batch), timeout);
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
    throw std::runtime_error("webhook: POST " + *url_text + " answered HTTP "
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
    throw std::runtime_error("webhook: the reply of " + *url_text + " (HTTP "
                             + std::to_string(reply.status) + ") is not understood: " + e.what()
                             + " (every message is retried)");
  }
  if (instructions)
    apply_webhook_reply(*instructions, batch);
}

} // namespace sluice::builtin
