// sluice_bench: a keep-alive HTTP load generator for a running server; see docs/benchmarks.md.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <regex>
#include <stdexcept>
#include <thread>

#include <CLI/CLI.hpp>

#include "bench/load.hpp"

using namespace sluice;
using namespace sluice::bench;

namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

/// A fresh queue for one scenario, deleted (with its messages) afterwards.
class scratch_queue {
public:
  scratch_queue(const target& t, const std::string& label) : t_(t), c_(t.host, t.port) {
    auto name = "bench-" + label + "-" + std::to_string(now_ms());
    auto r = c_.send("POST", t.queues(), R"({"queue_name":")" + name + "\"}", t.headers());
    simdjson::dom::parser p;
    std::string_view id;
    if (r.status != 200 || p.parse(r.body)["result"]["queue_id"].get(id))
      throw std::runtime_error("cannot create queue " + name + ": " + r.body);
    path = t.queues() + "/" + std::string{id};
  }
  ~scratch_queue() {
    try {
      c_.send("DELETE", path, {}, t_.headers());
    } catch (const std::exception&) { // best effort: the server may be gone
    }
  }
  std::string path; ///< .../queues/{queue_id}

private:
  target t_;
  http::client c_;
};

std::string message_json(size_t body_bytes) {
  return R"({"body":")" + std::string(body_bytes, 'x') + R"(","content_type":"text"})";
}

std::string batch_json(size_t n, size_t body_bytes) {
  std::string out = R"({"messages":[)";
  for (size_t i = 0; i < n; ++i)
    out += (i ? "," : "") + message_json(body_bytes);
  return out + "]}";
}

/// Posts `body` to `path`; `n` messages moved per 2xx.
step_fn sender(std::string path, std::string body, long n) {
  return [path = std::move(path), body = std::move(body), n](worker& w) -> long {
    auto status = w.post(path, body).status;
    return status >= 200 && status < 300 ? n : 0;
  };
}

/// Pulls up to 100 (visibility 30 s) and acks every lease; moves the ackCount.
/// An empty pull ends the worker when `drain` and the backlog is 0, else it
/// waits 1 ms. Outside a drain it records each message's end-to-end lag.
step_fn consumer(const std::string& queue, bool drain) {
  auto pull = queue + "/messages/pull", ack = queue + "/messages/ack";
  return [pull, ack, drain](worker& w) -> long {
    auto r = w.post(pull, R"({"batch_size":100,"visibility_timeout_ms":30000})");
    simdjson::dom::element result;
    simdjson::dom::array messages;
    if (r.status != 200 || w.parser.parse(r.body)["result"].get(result)
        || result["messages"].get(messages))
      return 0;
    std::string acks = R"({"acks":[)";
    auto now = now_ms();
    size_t leases = 0;
    for (auto m : messages) {
      std::string_view lease;
      int64_t timestamp = 0;
      if (m["lease_id"].get(lease) || m["timestamp_ms"].get(timestamp))
        continue;
      acks.append(leases++ ? "," : "").append(R"({"lease_id":")").append(lease).append("\"}");
      if (!drain)
        w.measured.lag_ms.push_back(static_cast<double>(now - timestamp));
    }
    if (leases == 0) {
      uint64_t backlog = 1;
      if (drain && !result["message_backlog_count"].get(backlog) && backlog == 0)
        return stop;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return 0;
    }
    auto a = w.post(ack, acks + "]}");
    int64_t acked = 0;
    bool ok = a.status == 200 && !w.parser.parse(a.body)["result"]["ackCount"].get(acked);
    return ok ? acked : 0;
  };
}

/// GET `path` and read `result.<key>` as an integer (-1 on any failure).
int64_t read_int(http::client& c, const target& t, const std::string& path, const char* key) {
  auto r = c.send("GET", path, {}, t.headers());
  simdjson::dom::parser p;
  int64_t v = -1;
  if (r.status != 200 || p.parse(r.body)["result"][key].get(v))
    return -1;
  return v;
}

/// Push delivery: preloads `n` messages, then attaches a worker consumer whose script runs
/// the `noop` example plugin (batch_size 100) and times the drain, polling the backlog.
stats push_drain(const target& t, long n, size_t body_bytes, int server_pid) {
  http::client c{t.host, t.port};
  auto script = "/client/v4/accounts/" + t.account + "/sluice/scripts/bench-noop";
  auto deployed = c.send("PUT", script, R"({"plugin":"noop"})", t.headers());
  if (deployed.status != 200)
    throw std::runtime_error("cannot deploy the noop script (start the server with "
                             "--plugin-dir build/plugins, with an admin token): "
                             + deployed.body);
  scratch_queue q{t, "push"};
  std::atomic<long> batches{(n + 99) / 100};
  auto send = sender(q.path + "/messages/batch", batch_json(100, body_bytes), 100);
  print_row(run(t, "push: preload x100", 8, 3600,
                [&](worker& w) -> long { return batches.fetch_sub(1) > 0 ? send(w) : stop; }));
  auto start = std::chrono::steady_clock::now();
  auto cpu_before = process_cpu_seconds(server_pid);
  auto added = c.send("POST", q.path + "/consumers",
                      R"({"type":"worker","script_name":"bench-noop",)"
                      R"("settings":{"batch_size":100,"max_wait_time_ms":1000}})",
                      t.headers());
  if (added.status != 200)
    throw std::runtime_error("cannot add the worker consumer: " + added.body);
  int64_t backlog = 1;
  while ((backlog = read_int(c, t, q.path + "/metrics", "backlog_count")) != 0) {
    if (backlog < 0)
      throw std::runtime_error("cannot read the backlog of " + q.path);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stats s;
  s.name = "push: noop plugin x100";
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  s.messages = static_cast<uint64_t>(n);
  if (server_pid > 0)
    s.server_cpu_s = process_cpu_seconds(server_pid) - cpu_before;
  return s; // deleting the scratch queue removes its consumer
}

struct options {
  target t;                    ///< the first --url: queues are created there
  std::vector<target> targets; ///< every --url: connection i talks to targets[i % n]
  int connections = 0;         ///< 0: each scenario's own counts
  double seconds = 10;
  size_t body_bytes = 256;
  long drain_messages = 200000;
  int server_pid = 0; ///< > 0: rows carry that process's CPU per message
};

/// Runs `scenario` and charges its row with the server's CPU time meanwhile.
template <class Scenario>
stats charged(int server_pid, Scenario scenario) {
  auto before = process_cpu_seconds(server_pid);
  auto s = scenario();
  if (server_pid > 0)
    s.server_cpu_s = process_cpu_seconds(server_pid) - before;
  return s;
}

std::vector<stats> run_scenarios(const options& o, const std::string& which) {
  std::vector<stats> rows;
  auto report = [&](stats s) {
    print_row(s);
    rows.push_back(std::move(s));
  };
  auto want = [&](const char* s) { return which == "all" || which == s; };
  const auto& t = o.t;
  const auto& ts = o.targets;
  auto conns = [&](int dflt) { return o.connections > 0 ? o.connections : dflt; };
  // `run`, the row charged with the server's CPU (--server-pid).
  auto timed = [&](const std::string& name, int n, double seconds, const step_fn& step) {
    return charged(o.server_pid, [&] { return run(ts, name, n, seconds, step); });
  };
  if (which == "http") // the floor: HTTP round trips with no actor, no disk
    report(timed("http: GET /healthz", conns(32), o.seconds, [](worker& w) -> long {
      return w.send("GET", "/healthz", {}).status == 200 ? 1 : 0;
    }));
  if (want("single"))
    for (int n : o.connections > 0 ? std::vector<int>{o.connections} : std::vector<int>{1, 32}) {
      scratch_queue q{t, "single"};
      report(timed("single send", n, o.seconds,
                   sender(q.path + "/messages", message_json(o.body_bytes), 1)));
    }
  if (want("batch")) {
    scratch_queue q{t, "batch"};
    report(timed("batch send x100", conns(8), o.seconds,
                 sender(q.path + "/messages/batch", batch_json(100, o.body_bytes), 100)));
  }
  if (want("drain")) {
    scratch_queue q{t, "drain"};
    std::atomic<long> batches{(o.drain_messages + 99) / 100};
    auto send = sender(q.path + "/messages/batch", batch_json(100, o.body_bytes), 100);
    report(timed("drain: preload x100", conns(8), 3600,
                 [&](worker& w) -> long { return batches.fetch_sub(1) > 0 ? send(w) : stop; }));
    report(timed("drain: pull+ack x100", 4, 3600, consumer(q.path, true)));
  }
  if (which == "push") // needs --plugin-dir with noop.so and an admin token
    report(push_drain(t, o.drain_messages, o.body_bytes, o.server_pid));
  if (want("mixed")) {
    scratch_queue q{t, "mixed"};
    auto produced = std::async(std::launch::async, [&] {
      return run(ts, "mixed: produce x10", 16, o.seconds,
                 sender(q.path + "/messages/batch", batch_json(10, o.body_bytes), 10));
    });
    auto consumed = run(ts, "mixed: consume pull+ack x100", 4, o.seconds, consumer(q.path, false));
    report(produced.get());
    report(std::move(consumed));
  }
  return rows;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"sluice_bench: load generator for a running Sluice server"};
  options o;
  std::vector<std::string> urls{"http://127.0.0.1:8787"};
  std::string scenario = "all";
  std::string json_path;
  app.option_defaults()->always_capture_default();
  app.add_option("--url", urls,
                 "Server base URL, http://HOST:PORT; several (comma-separated or repeated): "
                 "the nodes of a cluster, connections spread over them")
      ->delimiter(',');
  app.add_option("--connections", o.connections,
                 "Connections of the single, batch and drain-preload scenarios (0: their "
                 "defaults: 1 and 32, 8, 8)")
      ->check(CLI::Range(0, 4096));
  app.add_option("--token", o.t.token, "API token with queues_read + queues_write")->required();
  app.add_option("--account", o.t.account, "Account id to create queues in");
  app.add_option("--scenario", scenario, "Which scenarios to run")
      ->check(CLI::IsMember({"all", "http", "single", "batch", "drain", "mixed", "push"}));
  app.add_option("--seconds", o.seconds, "Seconds per timed scenario")->check(CLI::PositiveNumber);
  app.add_option("--body-bytes", o.body_bytes, "Body size")->check(CLI::Range(1, 128000));
  app.add_option("--drain-messages", o.drain_messages, "Preloaded for the drain and push")
      ->check(CLI::PositiveNumber);
  app.add_option("--server-pid", o.server_pid,
                 "PID of the server (on this machine): each row also shows its CPU time per "
                 "message, in microseconds (not for mixed, whose two rows share the time)");
  app.add_option("--json", json_path, "Also write the rows as a JSON array to this file");
  CLI11_PARSE(app, argc, argv);

  for (const auto& url : urls) {
    std::smatch m;
    if (!std::regex_match(url, m, std::regex{R"(http://([^:/]+):(\d{1,5})/?)"})) {
      std::fprintf(stderr, "--url must look like http://HOST:PORT, not '%s'\n", url.c_str());
      return 2;
    }
    target t = o.t;
    t.host = m[1];
    t.port = static_cast<uint16_t>(std::stoi(m[2]));
    o.targets.push_back(t);
  }
  o.t = o.targets.front();
  try {
    auto rows = run_scenarios(o, scenario);
    if (!json_path.empty())
      write_json(json_path, rows);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
