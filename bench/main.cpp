// sluice_bench: an HTTP keep-alive load generator for a running Sluice server.
// Prints one row per scenario; see docs/benchmarks.md for how it is run.
#include <chrono>
#include <cstdio>
#include <regex>
#include <thread>

#include <CLI/CLI.hpp>
#include <simdjson.h>

#include "bench/load.hpp"

using namespace sluice;
using namespace sluice::bench;

namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string base(const target& t) {
  return "/client/v4/accounts/" + t.account + "/queues";
}

std::string create_queue(const target& t, const std::string& name) {
  http::client c{t.host, t.port};
  c.send("DELETE", base(t) + "/" + name, {}, auth(t)); // ignore: ids, not names
  auto r = c.send("POST", base(t), R"({"queue_name":")" + name + "\"}", auth(t));
  simdjson::dom::parser p;
  auto doc = p.parse(r.body);
  std::string_view id;
  if (r.status != 200 || doc["result"]["queue_id"].get(id) != simdjson::SUCCESS)
    throw std::runtime_error("cannot create queue " + name + ": " + r.body);
  return std::string{id};
}

void delete_queue(const target& t, const std::string& id) {
  http::client c{t.host, t.port};
  c.send("DELETE", base(t) + "/" + id, {}, auth(t));
}

std::string message_json(size_t body_bytes) {
  return R"({"content_type":"text","body":")" + std::string(body_bytes, 'x') + "\"}";
}

std::string batch_json(size_t n, size_t body_bytes) {
  std::string out = R"({"messages":[)";
  for (size_t i = 0; i < n; ++i)
    out += (i ? "," : "") + message_json(body_bytes);
  return out + "]}";
}

/// A step that posts `body` to `path`; moves `n` messages per success.
step_fn sender(const target& t, std::string path, std::string body, int n) {
  return [t, path, body, n](http::client& c, result& local) {
    auto r = c.send("POST", path, body, auth(t));
    if (r.status == 429)
      ++local.throttled;
    return r.status == 200 ? n : -1;
  };
}

/// A step that pulls up to 100 and acks them all; 0 when the queue is empty
/// (and `stop_when_empty`).
step_fn consumer(const target& t, const std::string& q, bool stop_when_empty) {
  return [t, q, stop_when_empty](http::client& c, result& local) {
    thread_local simdjson::dom::parser p;
    auto r = c.send("POST", q + "/messages/pull", R"({"batch_size":100})", auth(t));
    if (r.status != 200)
      return -1;
    auto doc = p.parse(r.body);
    if (doc.error())
      return -1;
    std::string acks = R"({"acks":[)";
    int n = 0;
    auto now = now_ms();
    for (auto m : doc["result"]["messages"].get_array()) {
      std::string_view lease = m["lease_id"].get_string().value();
      acks += std::string{n++ ? "," : ""} + R"({"lease_id":")" + std::string{lease} + "\"}";
      local.lag_ms.push_back(static_cast<double>(now - m["timestamp_ms"].get_int64().value()));
    }
    if (n == 0) {
      if (stop_when_empty)
        return 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      return idle;
    }
    auto a = c.send("POST", q + "/messages/ack", acks + "]}", auth(t));
    return a.status == 200 ? n : -1;
  };
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"sluice_bench: load generator for a running Sluice server"};
  std::string url = "http://127.0.0.1:8787";
  std::string scenario = "all";
  double seconds = 10;
  size_t body_bytes = 256;
  target t;
  app.add_option("--url", url, "Server base URL")->capture_default_str();
  app.add_option("--token", t.token, "API token (queues_read + queues_write)")->required();
  app.add_option("--account", t.account, "Account id to create queues in")->capture_default_str();
  app.add_option("--scenario", scenario, "all|single|batch|drain|mixed")->capture_default_str();
  app.add_option("--seconds", seconds, "Duration of each scenario")->capture_default_str();
  app.add_option("--body-bytes", body_bytes, "Message body size")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  std::smatch m;
  if (!std::regex_match(url, m, std::regex{R"(http://([^:/]+):(\d+)/?)"})) {
    std::fprintf(stderr, "--url must look like http://HOST:PORT\n");
    return 2;
  }
  t.host = m[1];
  t.port = static_cast<uint16_t>(std::stoi(m[2]));
  auto want = [&](const char* s) { return scenario == "all" || scenario == s; };
  try {
    if (want("single")) {
      for (int conns : {1, 32}) {
        auto id = create_queue(t, "bench-single");
        print(run(t, "single send, " + std::to_string(conns) + " conn", conns, seconds,
                  sender(t, base(t) + "/" + id + "/messages", message_json(body_bytes), 1)));
        delete_queue(t, id);
      }
    }
    if (want("batch")) {
      auto id = create_queue(t, "bench-batch");
      print(
          run(t, "batch send x100, 8 conn", 8, seconds,
              sender(t, base(t) + "/" + id + "/messages/batch", batch_json(100, body_bytes), 100)));
      if (want("drain"))
        print(run(t, "drain pull+ack x100, 4 conn", 4, 600, consumer(t, base(t) + "/" + id, true)));
      delete_queue(t, id);
    }
    if (want("mixed")) {
      auto id = create_queue(t, "bench-mixed");
      auto q = base(t) + "/" + id;
      result produced;
      std::thread producers{[&] {
        produced = run(t, "mixed: produce x10, 16 conn", 16, seconds,
                       sender(t, q + "/messages/batch", batch_json(10, body_bytes), 10));
      }};
      auto consumed = run(t, "mixed: consume x100, 4 conn", 4, seconds, consumer(t, q, false));
      producers.join();
      print(produced);
      print(consumed);
      delete_queue(t, id);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
