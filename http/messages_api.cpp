#include "http/api.hpp"

#include "http/ask.hpp"
#include "http/auth.hpp"
#include "http/envelope.hpp"
#include "http/json_reader.hpp"
#include "http/json_writer.hpp"
#include "http/message_json.hpp"
#include "http/queue_json.hpp"

namespace sluice::http {

namespace {

constexpr std::string_view queue_base = "/client/v4/accounts/{account}/queues/{queue_id}";

std::string path_of(std::string_view tail) {
  return std::string{queue_base} + std::string{tail};
}

/// Parses the body as an object; on failure answers `reply`, returns false.
bool parse_body(json_reader& in, const request& req, responder& reply, bool allow_empty) {
  if (auto err = in.parse(req.body, allow_empty); !err.empty()) {
    reply(fail(in.malformed() ? errc::malformed_json : errc::invalid_request, err));
    return false;
  }
  return true;
}

/// Authorises, then parses and sends `Msg` built by `build` (which answers
/// `reply` itself on bad input and returns false), rendering the reply with
/// `render`.
template <class Result, class Msg, class Build, class Render>
void run(api_context& ctx, request& req, path_params& p, responder reply, uint32_t perm,
         bool allow_empty, Build build, Render render) {
  authorize(
      ctx, req, p[0], perm,
      [&ctx, req, account = p[0], id = p[1], reply, allow_empty, build, render](principal) mutable {
        json_reader in;
        if (!parse_body(in, req, reply, allow_empty))
          return;
        Msg msg;
        msg.account = account;
        msg.queue_id = id;
        if (!build(in.root(), msg, reply))
          return;
        ask_queue<Result>(*ctx.replies, *ctx.queues, std::move(msg), answer<Result>(reply, render));
      },
      reply);
}

/// SDK 7.3 reads `result.metadata.metrics` of a send; `message_id` is the
/// id of the message (the original one's for a repeated dedup id).
response sent_one(const sent_messages& s) {
  json_writer w;
  w.begin_object().key("metadata").raw(metrics_json(s.stats));
  w.key("message_id").value(s.ids.empty() ? std::string{} : s.ids.front());
  return ok(w.end_object().take());
}

/// As `sent_one`, with `message_ids` in the order of `messages`.
response sent_batch(const sent_messages& s) {
  json_writer w;
  w.begin_object().key("metadata").raw(metrics_json(s.stats)).key("message_ids").begin_array();
  for (const auto& id : s.ids)
    w.value(id);
  return ok(w.end_array().end_object().take());
}

void send_one(api_context& ctx, request& req, path_params& p, responder reply) {
  run<sent_messages, send_messages>(
      ctx, req, p, std::move(reply), storage::perm_queues_write, false,
      [key = req.idempotency_key](simdjson::dom::object body, send_messages& msg, responder& rp) {
        outgoing_message m;
        if (auto pr = read_message(body, "", m)) {
          rp(fail(pr.code, pr.message));
          return false;
        }
        if (auto err = read_idempotency_key(key, m); !err.empty()) {
          rp(fail(errc::invalid_request, err));
          return false;
        }
        msg.messages.push_back(std::move(m));
        return true;
      },
      sent_one);
}

void send_batch(api_context& ctx, request& req, path_params& p, responder reply) {
  run<sent_messages, send_messages>(
      ctx, req, p, std::move(reply), storage::perm_queues_write, false,
      [keyed = req.idempotency_key.has_value()](simdjson::dom::object body, send_messages& msg,
                                                responder& rp) {
        auto invalid = [&rp](std::string m) {
          rp(fail(errc::invalid_request, m));
          return false;
        };
        if (keyed)
          return invalid("the Idempotency-Key header names one message: give each message of a "
                         "batch its own dedup_id instead");
        if (auto err =
                json_reader::get_int(body, "delay_seconds", "delay_seconds", msg.delay_seconds);
            !err.empty())
          return invalid(err);
        simdjson::dom::array arr;
        auto v = body.at_key("messages");
        if (v.error() || v.value_unsafe().get(arr) != simdjson::SUCCESS)
          return invalid("messages is required: an array of {body, content_type?, delay_seconds?}");
        if (arr.size() == 0)
          return invalid("messages must hold at least one message");
        if (arr.size() > max_batch_messages) {
          rp(fail(errc::too_many_messages, "a batch may hold at most "
                                               + std::to_string(max_batch_messages)
                                               + " messages, got " + std::to_string(arr.size())));
          return false;
        }
        size_t total = 0;
        size_t i = 0;
        for (auto item : arr) {
          auto path = "messages[" + std::to_string(i++) + "].";
          simdjson::dom::object obj;
          if (item.get(obj) != simdjson::SUCCESS)
            return invalid(path.substr(0, path.size() - 1) + " must be an object");
          outgoing_message m;
          if (auto pr = read_message(obj, path, m)) {
            rp(fail(pr.code, pr.message));
            return false;
          }
          total += m.body.size();
          msg.messages.push_back(std::move(m));
        }
        if (total > max_batch_bytes) {
          rp(fail(errc::batch_too_large, "the batch's bodies total " + std::to_string(total)
                                             + " bytes; a batch may hold at most "
                                             + std::to_string(max_batch_bytes)
                                             + " bytes (256 KB)"));
          return false;
        }
        return true;
      },
      sent_batch);
}

void pull(api_context& ctx, request& req, path_params& p, responder reply) {
  run<pulled_batch, pull_messages>(
      ctx, req, p, std::move(reply), storage::perm_queues_read | storage::perm_queues_write, true,
      [](simdjson::dom::object body, pull_messages& msg, responder& rp) {
        auto err = json_reader::get_int(body, "batch_size", "batch_size", msg.batch_size);
        if (err.empty())
          err = json_reader::get_int(body, "visibility_timeout_ms", "visibility_timeout_ms",
                                     msg.visibility_timeout_ms);
        if (err.empty() && !msg.visibility_timeout_ms) // alias (docs/api.md)
          err = json_reader::get_int(body, "visibility_timeout", "visibility_timeout",
                                     msg.visibility_timeout_ms);
        if (err.empty())
          err = json_reader::get_int(body, "wait_time_ms", "wait_time_ms", msg.wait_time_ms);
        if (err.empty())
          err = json_reader::get_string(body, "consumer_id", "consumer_id", msg.consumer_id);
        if (!err.empty()) {
          rp(fail(errc::invalid_request, err));
          return false;
        }
        return true;
      },
      [](const pulled_batch& b) {
        json_writer w;
        w.begin_object().key("message_backlog_count").value(b.stats.backlog_count);
        w.key("messages").begin_array();
        for (const auto& m : b.messages)
          write_pulled(w, m);
        w.end_array().key("metadata").raw(metrics_json(b.stats)).end_object();
        return ok(w.take());
      });
}

/// Reads `[{lease_id, delay_seconds?}]` at `key`; false (after answering)
/// on bad input.
bool read_leases(simdjson::dom::object body, const char* key, std::vector<retry_item>& out,
                 responder& rp) {
  auto v = body.at_key(key);
  if (v.error() || v.value_unsafe().is_null())
    return true;
  simdjson::dom::array arr;
  auto invalid = [&](std::string m) {
    rp(fail(errc::invalid_request, m));
    return false;
  };
  if (v.value_unsafe().get(arr) != simdjson::SUCCESS)
    return invalid(std::string{key} + " must be an array of {lease_id}");
  size_t i = 0;
  for (auto item : arr) {
    auto path = std::string{key} + "[" + std::to_string(i++) + "].";
    simdjson::dom::object obj;
    if (item.get(obj) != simdjson::SUCCESS)
      return invalid(path + "lease_id is required");
    caf::optional<std::string> lease;
    retry_item r;
    auto err = json_reader::get_string(obj, "lease_id", path + "lease_id", lease);
    if (err.empty())
      err = json_reader::get_int(obj, "delay_seconds", path + "delay_seconds", r.delay_seconds);
    if (err.empty() && !lease)
      err = path + "lease_id is required";
    if (!err.empty())
      return invalid(err);
    r.lease_id = std::move(*lease);
    out.push_back(std::move(r));
  }
  return true;
}

void ack(api_context& ctx, request& req, path_params& p, responder reply) {
  run<ack_result, ack_messages>(
      ctx, req, p, std::move(reply), storage::perm_queues_read | storage::perm_queues_write, false,
      [](simdjson::dom::object body, ack_messages& msg, responder& rp) {
        std::vector<retry_item> acks;
        if (!read_leases(body, "acks", acks, rp) || !read_leases(body, "retries", msg.retries, rp))
          return false;
        if (auto err = json_reader::get_string(body, "consumer_id", "consumer_id", msg.consumer_id);
            !err.empty()) {
          rp(fail(errc::invalid_request, err));
          return false;
        }
        for (auto& a : acks)
          msg.acks.push_back(std::move(a.lease_id));
        return true;
      },
      [](const ack_result& r) {
        json_writer w;
        w.begin_object()
            .key("ackCount")
            .value(r.ack_count)
            .key("retryCount")
            .value(r.retry_count)
            .key("warnings")
            .begin_object();
        for (const auto& [id, why] : r.warnings)
          w.key(id).value(why);
        w.end_object().end_object();
        return ok(w.take());
      });
}

void peek(api_context& ctx, request& req, path_params& p, responder reply) {
  run<pulled_batch, peek_messages>(
      ctx, req, p, std::move(reply), storage::perm_queues_read, true,
      [](simdjson::dom::object body, peek_messages& msg, responder& rp) {
        auto err = json_reader::get_int(body, "batch_size", "batch_size", msg.batch_size);
        if (err.empty())
          err = json_reader::get_string(body, "consumer_id", "consumer_id", msg.consumer_id);
        if (!err.empty()) {
          rp(fail(errc::invalid_request, err));
          return false;
        }
        return true;
      },
      [](const pulled_batch& b) {
        json_writer w;
        w.begin_object().key("message_backlog_count").value(b.stats.backlog_count);
        w.key("messages").begin_array();
        for (const auto& m : b.messages)
          write_pulled(w, m, "ref");
        w.end_array().end_object();
        return ok(w.take());
      });
}

void delete_by_ref(api_context& ctx, request& req, path_params& p, responder reply) {
  run<ack_result, delete_refs>(
      ctx, req, p, std::move(reply), storage::perm_queues_write, false,
      [](simdjson::dom::object body, delete_refs& msg, responder& rp) {
        auto v = body.at_key("refs");
        simdjson::dom::array arr;
        if (v.error() || v.value_unsafe().get(arr) != simdjson::SUCCESS) {
          rp(fail(errc::invalid_request, "refs is required: an array of {ref} from a peek"));
          return false;
        }
        for (auto item : arr) {
          simdjson::dom::object obj;
          std::string_view ref;
          if (item.get(obj) != simdjson::SUCCESS || obj["ref"].get(ref) != simdjson::SUCCESS) {
            rp(fail(errc::invalid_request, "refs[] must be objects with a string ref"));
            return false;
          }
          msg.refs.emplace_back(ref);
        }
        if (auto err = json_reader::get_string(body, "consumer_id", "consumer_id", msg.consumer_id);
            !err.empty()) {
          rp(fail(errc::invalid_request, err));
          return false;
        }
        return true;
      },
      [](const ack_result& r) {
        json_writer w;
        w.begin_object().key("deleted").value(r.ack_count).key("warnings").begin_object();
        for (const auto& [id, why] : r.warnings)
          w.key(id).value(why);
        w.end_object().end_object();
        return ok(w.take());
      });
}

void write_purge_status(json_writer& w, const purge_status& s) {
  w.begin_object().key("completed").value(s.completed).key("started_at");
  if (s.started_ms == 0)
    w.null();
  else
    w.value(rfc3339(s.started_ms));
  w.end_object();
}

void purge(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_write,
      [&ctx, req, account = p[0], id = p[1], reply](principal who) mutable {
        json_reader in;
        if (!parse_body(in, req, reply, false))
          return;
        caf::optional<bool> confirm;
        auto err = json_reader::get_bool(in.root(), "delete_messages_permanently",
                                         "delete_messages_permanently", confirm);
        if (err.empty() && !(confirm && *confirm))
          err = "purging deletes every message of the queue; send "
                "{\"delete_messages_permanently\": true} to confirm";
        if (!err.empty()) {
          reply(fail(errc::invalid_request, err));
          return;
        }
        // The SDK's purge.start expects the queue back.
        ask<purge_status>(
            *ctx.replies, ctx.hub.get(), purge_queue{account, id, who.token_id},
            [&ctx, account, id, reply](caf::expected<purge_status> s) {
              if (!s) {
                reply(fail(s.error()));
                return;
              }
              ask<storage::queue_record>(
                  *ctx.replies, ctx.hub.get(), get_queue{account, id},
                  answer<storage::queue_record>(reply, [](const storage::queue_record& q) {
                    json_writer w;
                    write_queue(w, q);
                    return ok(w.take());
                  }));
            });
      },
      reply);
}

void purge_state(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_read,
      [&ctx, account = p[0], id = p[1], reply](principal) {
        ask_queue<purge_status>(*ctx.replies, *ctx.queues, get_purge_status{account, id},
                                answer<purge_status>(reply, [](const purge_status& s) {
                                  json_writer w;
                                  write_purge_status(w, s);
                                  return ok(w.take());
                                }));
      },
      reply);
}

void metrics(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_read,
      [&ctx, account = p[0], id = p[1], reply](principal) {
        ask_queue<queue_stats>(
            *ctx.replies, *ctx.queues, get_stats{account, id},
            [&ctx, account, id, reply](caf::expected<queue_stats> s) {
              if (!s) {
                reply(fail(s.error()));
                return;
              }
              // A fan-out queue adds each consumer's backlog (docs/api.md).
              ask_queue<consumer_backlogs>(
                  *ctx.replies, *ctx.queues, get_consumer_backlogs{account, id},
                  answer<consumer_backlogs>(reply, [total = *s](const consumer_backlogs& c) {
                    return ok(queue_metrics_json(total, c));
                  }));
            });
      },
      reply);
}

} // namespace

std::string send_budget_key(std::string_view method, std::string_view target) {
  constexpr std::string_view accounts = "/client/v4/accounts/";
  constexpr std::string_view queues = "/queues/";
  if (method != "POST")
    return {};
  auto path = target.substr(0, target.find('?'));
  if (path.substr(0, accounts.size()) != accounts)
    return {};
  path.remove_prefix(accounts.size());
  auto slash = path.find('/');
  if (slash == std::string_view::npos || path.substr(slash, queues.size()) != queues)
    return {};
  auto account = path.substr(0, slash);
  path.remove_prefix(slash + queues.size());
  slash = path.find('/');
  if (slash == 0 || slash == std::string_view::npos)
    return {};
  auto rest = path.substr(slash);
  if (rest != "/messages" && rest != "/messages/batch")
    return {};
  return std::string{account} + "/" + std::string{path.substr(0, slash)};
}

void add_message_routes(router& r, api_context& ctx) {
  r.add("messages.send", "POST", path_of("/messages"), with_context(ctx, send_one));
  r.add("messages.send_batch", "POST", path_of("/messages/batch"), with_context(ctx, send_batch));
  r.add("messages.pull", "POST", path_of("/messages/pull"), with_context(ctx, pull));
  r.add("messages.ack", "POST", path_of("/messages/ack"), with_context(ctx, ack));
  r.add("queues.metrics", "GET", path_of("/metrics"), with_context(ctx, metrics));
  r.add("messages.peek", "POST", path_of("/messages/peek"), with_context(ctx, peek));
  r.add("messages.delete", "POST", path_of("/messages/purge"), with_context(ctx, delete_by_ref));
  r.add("queues.purge", "POST", path_of("/purge"), with_context(ctx, purge));
  r.add("queues.purge_status", "GET", path_of("/purge"), with_context(ctx, purge_state));
}

} // namespace sluice::http
