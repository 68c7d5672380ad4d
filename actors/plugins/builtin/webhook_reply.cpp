#include "actors/plugins/builtin/webhook_reply.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "http/json_reader.hpp"

namespace sluice::builtin {

namespace {

using http::json_reader;

void check(const std::string& problem) {
  if (!problem.empty())
    throw std::invalid_argument(problem);
}

/// `obj.delay_seconds` as RetryOptions: absent or null → unset; 0–86400, larger clamped.
RetryOptions read_delay(simdjson::dom::object obj, const std::string& path) {
  caf::optional<std::int64_t> delay;
  check(json_reader::get_int(obj, "delay_seconds", path + "delay_seconds", delay));
  if (!delay)
    return {};
  if (*delay < 0)
    throw std::invalid_argument(path + "delay_seconds must be 0 or more");
  return {
      static_cast<std::uint32_t>(std::min<std::int64_t>(*delay, SLUICE_MAX_RETRY_DELAY_SECONDS))};
}

std::vector<std::pair<std::string, RetryOptions>> read_retries(simdjson::dom::object root) {
  std::vector<std::pair<std::string, RetryOptions>> out;
  simdjson::dom::element element;
  if (root.at_key("retries").get(element) != simdjson::SUCCESS || element.is_null())
    return out;
  simdjson::dom::array items;
  if (element.get(items) != simdjson::SUCCESS)
    throw std::invalid_argument("retries must be an array of {\"id\", \"delay_seconds\"?}");
  std::size_t index = 0;
  for (auto item : items) {
    const std::string path = "retries[" + std::to_string(index++) + "].";
    simdjson::dom::object obj;
    if (item.get(obj) != simdjson::SUCCESS)
      throw std::invalid_argument(path.substr(0, path.size() - 1) + " must be an object");
    caf::optional<std::string> id;
    check(json_reader::get_string(obj, "id", path + "id", id));
    if (!id)
      throw std::invalid_argument(path + "id is required");
    out.emplace_back(std::move(*id), read_delay(obj, path));
  }
  return out;
}

webhook_decision::op read_op(simdjson::dom::object obj, const std::string& path) {
  caf::optional<std::string> op;
  check(json_reader::get_string(obj, "op", path + "op", op));
  if (!op)
    throw std::invalid_argument(path + "op is required (ack, retry, ack_all or retry_all)");
  using o = webhook_decision::op;
  if (*op == "ack")
    return o::ack;
  if (*op == "retry")
    return o::retry;
  if (*op == "ack_all")
    return o::ack_all;
  if (*op == "retry_all")
    return o::retry_all;
  throw std::invalid_argument(path + "op must be ack, retry, ack_all or retry_all, got '" + *op
                              + "'");
}

std::vector<webhook_decision> read_decisions(simdjson::dom::object root) {
  std::vector<webhook_decision> out;
  simdjson::dom::element element;
  if (root.at_key("decisions").get(element) != simdjson::SUCCESS || element.is_null())
    return out;
  simdjson::dom::array items;
  if (element.get(items) != simdjson::SUCCESS)
    throw std::invalid_argument("decisions must be an array of {\"op\", \"id\"?, "
                                "\"delay_seconds\"?}");
  std::size_t index = 0;
  for (auto item : items) {
    const std::string path = "decisions[" + std::to_string(index++) + "].";
    simdjson::dom::object obj;
    if (item.get(obj) != simdjson::SUCCESS)
      throw std::invalid_argument(path.substr(0, path.size() - 1) + " must be an object");
    webhook_decision d;
    d.what = read_op(obj, path);
    using o = webhook_decision::op;
    caf::optional<std::string> id;
    check(json_reader::get_string(obj, "id", path + "id", id));
    if ((d.what == o::ack || d.what == o::retry) && !id)
      throw std::invalid_argument(path + "id is required for "
                                  + (d.what == o::ack ? "ack" : "retry"));
    if (id)
      d.id = std::move(*id);
    if (d.what == o::retry || d.what == o::retry_all)
      d.options = read_delay(obj, path);
    out.push_back(std::move(d));
  }
  return out;
}

} // namespace

bool webhook_reply::empty() const {
  return decisions.empty() && acks.empty() && retries.empty() && !ack_all && !retry_all;
}

std::optional<webhook_reply> read_webhook_reply(const std::string& body) {
  json_reader reader;
  if (!reader.parse(body).empty())
    return std::nullopt; // not a JSON object: nothing to apply
  const simdjson::dom::object root = reader.root();

  webhook_reply reply;
  reply.decisions = read_decisions(root);
  caf::optional<std::vector<std::string>> acks;
  check(json_reader::get_string_array(root, "acks", "acks", acks));
  if (acks)
    reply.acks = std::move(*acks);
  reply.retries = read_retries(root);
  caf::optional<bool> ack_all;
  check(json_reader::get_bool(root, "ack_all", "ack_all", ack_all));
  reply.ack_all = ack_all && *ack_all;
  simdjson::dom::object retry_all;
  bool has_retry_all = false;
  check(json_reader::get_object(root, "retry_all", "retry_all", retry_all, has_retry_all));
  if (has_retry_all)
    reply.retry_all = read_delay(retry_all, "retry_all.");
  return reply;
}

void apply_webhook_reply(const webhook_reply& reply, const MessageBatch& batch) {
  auto for_id = [&](std::string_view id, auto&& call) {
    for (const auto& message : batch.messages())
      if (message.id() == id)
        call(message);
  };
  for (const auto& d : reply.decisions) {
    switch (d.what) {
      case webhook_decision::op::ack:
        for_id(d.id, [](const Message& m) { m.ack(); });
        break;
      case webhook_decision::op::retry:
        for_id(d.id, [&d](const Message& m) { m.retry(d.options); });
        break;
      case webhook_decision::op::ack_all:
        batch.ack_all();
        break;
      case webhook_decision::op::retry_all:
        batch.retry_all(d.options);
        break;
    }
  }
  for (const auto& id : reply.acks)
    for_id(id, [](const Message& m) { m.ack(); });
  for (const auto& [id, options] : reply.retries)
    for_id(id, [&options = options](const Message& m) { m.retry(options); });
  if (reply.ack_all)
    batch.ack_all();
  if (reply.retry_all)
    batch.retry_all(*reply.retry_all);
}

} // namespace sluice::builtin
