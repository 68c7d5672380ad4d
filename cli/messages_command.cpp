// `sluice send`, `sluice pull`, `sluice peek`, `sluice ack`: the message API from a shell.
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "actors/control/crypto.hpp"
#include "actors/queue/message_rules.hpp"
#include "cli/commands.hpp"
#include "cli/message_view.hpp"
#include "cli/output.hpp"
#include "http/json_writer.hpp"

namespace sluice::cli {

namespace {

/// Bytes of JSON a batch request may carry: the API's limit on the bodies
/// (`max_batch_bytes`, docs/api.md) less a margin for the JSON around them.
constexpr size_t max_request_json_bytes = max_batch_bytes - 16'000;

struct send_flags {
  std::string queue;
  std::string body;
  std::string file;
  std::string content_type = "json";
  std::optional<int64_t> delay;
  size_t batch_size = max_batch_messages;
  std::string dedup_id; ///< a single BODY's; "" = none
};

/// One message as the API wants it; throws when a json body is not JSON.
std::string message_json(const send_flags& f, const std::string& body, size_t line) {
  http::json_writer w;
  w.begin_object().key("body");
  if (f.content_type == "json") {
    simdjson::dom::parser p;
    if (p.parse(body).error())
      throw cli_error((line ? "line " + std::to_string(line) + ": " : std::string{})
                      + "the body is not JSON; pass --content-type text to send it as text");
    w.raw(body);
  } else if (f.content_type == "bytes") {
    w.value(base64_encode(body));
  } else {
    w.value(body);
  }
  w.key("content_type").value(f.content_type);
  return w.end_object().take();
}

/// Sends every line of `in` in batches; returns how many were sent.
uint64_t send_lines(remote& api, const std::string& path, const send_flags& f, std::istream& in,
                    uint64_t total) {
  progress shown{"sent", total};
  std::vector<std::string> batch;
  size_t bytes = 0;
  auto flush = [&] {
    if (batch.empty())
      return;
    http::json_writer w;
    w.begin_object();
    if (f.delay)
      w.key("delay_seconds").value(*f.delay);
    w.key("messages").begin_array();
    for (const auto& m : batch)
      w.raw(m);
    api.call("POST", path + "/messages/batch", w.end_array().end_object().take());
    shown.add(batch.size());
    batch.clear();
    bytes = 0;
  };
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) {
    if (line.empty())
      continue;
    auto m = message_json(f, line, n);
    if (batch.size() >= f.batch_size || bytes + m.size() > max_request_json_bytes)
      flush();
    bytes += m.size();
    batch.push_back(std::move(m));
  }
  flush();
  shown.finish();
  return shown.done();
}

uint64_t count_lines(const std::string& file) {
  std::ifstream in{file};
  uint64_t n = 0;
  std::string line;
  while (std::getline(in, line))
    n += line.empty() ? 0 : 1;
  return n;
}

void send(const remote_options& o, const send_flags& f) {
  if (f.content_type != "json" && f.content_type != "text" && f.content_type != "bytes")
    throw cli_error("--content-type must be json, text or bytes");
  bool lines = !f.file.empty() || f.body.empty() || f.body == "-";
  if (!f.dedup_id.empty() && lines)
    throw cli_error("--dedup-id names one message: give its BODY as an argument");
  remote api{o};
  auto path = "/queues/" + api.queue_id(f.queue);
  uint64_t sent = 0;
  std::string id;
  if (!f.file.empty()) {
    std::ifstream in{f.file};
    if (!in)
      throw cli_error("cannot read " + f.file);
    sent = send_lines(api, path, f, in, count_lines(f.file));
  } else if (f.body.empty() || f.body == "-") {
    sent = send_lines(api, path, f, std::cin, 0);
  } else {
    auto m = message_json(f, f.body, 0);
    if (f.delay)
      m.insert(m.size() - 1, R"(,"delay_seconds":)" + std::to_string(*f.delay));
    if (!f.dedup_id.empty())
      m.insert(m.size() - 1, ",\"dedup_id\":" + http::json_writer{}.value(f.dedup_id).take());
    id = field(api.call("POST", path + "/messages", m), "message_id");
    sent = 1;
  }
  if (o.json) {
    std::cout << R"({"sent":)" << sent;
    if (!id.empty())
      std::cout << R"(,"message_id":)" << http::json_writer{}.value(id).take();
    std::cout << "}\n";
  } else {
    std::cout << "Sent " << count_of(sent, "message", "messages") << " to " << f.queue
              << (id.empty() ? "" : " (id " + id + ")") << ".\n";
  }
}

struct pull_flags {
  std::string queue;
  int64_t batch_size = 5;
  int64_t visibility_s = 30;
  int64_t wait_s = 0;
  bool ack = false;
  std::string consumer_id; ///< "" = not given (needed on a fan-out queue)
};

void pull(const remote_options& o, const pull_flags& f) {
  remote api{o};
  auto id = api.queue_id(f.queue);
  auto path = "/queues/" + id + "/messages";
  http::json_writer req;
  req.begin_object().key("batch_size").value(f.batch_size);
  req.key("visibility_timeout_ms").value(f.visibility_s * 1000);
  if (f.wait_s > 0)
    req.key("wait_time_ms").value(f.wait_s * 1000);
  if (!f.consumer_id.empty())
    req.key("consumer_id").value(f.consumer_id);
  req.end_object();
  auto result = api.call("POST", path + "/pull", req.take());
  std::vector<std::string> leases;
  for (auto m : items(result["messages"]))
    leases.push_back(field(m, "lease_id"));
  if (o.json)
    print_json(result);
  else if (leases.empty())
    // queue_holdings reuses the parser, which ends `result`: it is not read after.
    std::cout << "no messages ready (" << queue_holdings(api, id) << ")\n";
  else
    print_messages(result["messages"], "lease_id");
  if (!f.ack || leases.empty())
    return;
  http::json_writer w;
  w.begin_object().key("acks").begin_array();
  for (const auto& l : leases)
    w.begin_object().key("lease_id").value(l).end_object();
  w.end_array();
  if (!f.consumer_id.empty())
    w.key("consumer_id").value(f.consumer_id);
  auto acked = api.call("POST", path + "/ack", w.end_object().take());
  if (!o.json)
    std::cout << "Acked " << count_of(field(acked, "ackCount"), "message", "messages") << ".\n";
}

struct peek_flags {
  std::string queue;
  int64_t batch_size = 5;
  std::string consumer_id; ///< "" = the first consumer's copy of a fan-out queue
};

void peek(const remote_options& o, const peek_flags& f) {
  remote api{o};
  auto id = api.queue_id(f.queue);
  http::json_writer req;
  req.begin_object().key("batch_size").value(f.batch_size);
  if (!f.consumer_id.empty())
    req.key("consumer_id").value(f.consumer_id);
  req.end_object();
  auto result = api.call("POST", "/queues/" + id + "/messages/peek", req.take());
  if (o.json)
    return print_json(result);
  if (items(result["messages"]).empty())
    std::cout << "no messages (" << queue_holdings(api, id) << ")\n";
  else
    print_messages(result["messages"], "");
}

struct ack_flags {
  std::string queue;
  std::vector<std::string> acks;
  std::vector<std::string> retries;
  std::optional<int64_t> delay;
  std::string consumer_id; ///< "" = not given (needed on a fan-out queue)
};

void ack(const remote_options& o, const ack_flags& f) {
  if (f.acks.empty() && f.retries.empty())
    throw cli_error("name at least one lease id to ack, or --retry one");
  remote api{o};
  http::json_writer w;
  w.begin_object().key("acks").begin_array();
  for (const auto& l : f.acks)
    w.begin_object().key("lease_id").value(l).end_object();
  w.end_array().key("retries").begin_array();
  for (const auto& l : f.retries) {
    w.begin_object().key("lease_id").value(l);
    if (f.delay)
      w.key("delay_seconds").value(*f.delay);
    w.end_object();
  }
  w.end_array();
  if (!f.consumer_id.empty())
    w.key("consumer_id").value(f.consumer_id);
  auto result =
      api.call("POST", "/queues/" + api.queue_id(f.queue) + "/messages/ack", w.end_object().take());
  if (o.json)
    return print_json(result);
  std::cout << "Acked " << field(result, "ackCount") << ", retried " << field(result, "retryCount")
            << ".\n";
  simdjson::dom::object warnings; // lease id → why it was not applied
  if (!result["warnings"].get(warnings))
    for (auto [lease, why] : warnings)
      std::cerr << "warning: " << lease << ": " << simdjson::minify(why) << "\n";
}

} // namespace

void add_message_commands(CLI::App& app, remote_options& o) {
  auto sf = std::make_shared<send_flags>();
  auto* s = app.add_subcommand("send", "Send messages: BODY, or one per line of stdin or --file");
  s->add_option("queue", sf->queue, "Queue name or id")->required();
  s->add_option("body", sf->body, "The message body; '-' or none: read lines from stdin");
  s->add_option("--file", sf->file, "Send each non-empty line of this file");
  s->add_option("--content-type", sf->content_type, "json (default), text or bytes")
      ->check(CLI::IsMember({"json", "text", "bytes"}));
  s->add_option("--delay-secs", sf->delay, "Seconds before the messages can be delivered");
  s->add_option("--dedup-id", sf->dedup_id,
                "Send BODY once: a repeat within the queue's dedup window stores nothing "
                "and answers the first message's id");
  s->add_option("--batch-size", sf->batch_size, "Messages per request when sending lines")
      ->check(CLI::Range(size_t{1}, max_batch_messages));
  s->callback([&o, sf] { send(o, *sf); });

  auto pf = std::make_shared<pull_flags>();
  auto* p = app.add_subcommand("pull", "Pull (lease) messages; --ack acknowledges them");
  p->add_option("queue", pf->queue, "Queue name or id")->required();
  p->add_option("--batch-size", pf->batch_size, "Most messages to pull (1-100)");
  p->add_option("--visibility-timeout-secs", pf->visibility_s, "Seconds the lease lasts");
  p->add_option("--wait", pf->wait_s,
                "Seconds to wait for a message when none is ready (0-20; a long poll)")
      ->check(CLI::Range(0, 20));
  p->add_flag("--ack", pf->ack, "Acknowledge every pulled message after printing it");
  p->add_option("--consumer-id", pf->consumer_id,
                "The consumer pulling (required on a queue with consumer mode multi)");
  p->callback([&o, pf] { pull(o, *pf); });

  auto kf = std::make_shared<peek_flags>();
  auto* k = app.add_subcommand("peek", "Show messages without leasing them (leased ones too)");
  k->add_option("queue", kf->queue, "Queue name or id")->required();
  k->add_option("--batch-size", kf->batch_size, "Most messages to show (1-100)")
      ->capture_default_str();
  k->add_option("--consumer-id", kf->consumer_id,
                "On a queue with consumer mode multi, whose copy to show (default: the first "
                "consumer's)");
  k->callback([&o, kf] { peek(o, *kf); });

  auto af = std::make_shared<ack_flags>();
  auto* a = app.add_subcommand("ack", "Acknowledge leased messages, or retry them");
  a->add_option("queue", af->queue, "Queue name or id")->required();
  a->add_option("lease-ids", af->acks, "Lease ids to acknowledge");
  a->add_option("--retry", af->retries, "A lease id to deliver again instead (repeatable)")
      ->allow_extra_args(false);
  a->add_option("--delay-secs", af->delay, "Seconds before retried messages return");
  a->add_option("--consumer-id", af->consumer_id,
                "The consumer the leases are for (required on a queue with consumer mode multi)");
  a->callback([&o, af] { ack(o, *af); });
}

} // namespace sluice::cli
