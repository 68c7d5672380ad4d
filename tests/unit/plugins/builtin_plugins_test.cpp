#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <netinet/in.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include "actors/plugins/builtin/builtin_plugins.hpp"
#include "actors/plugins/host/plugin_host.hpp"
#include "http/url.hpp"
#include "tests/http_receiver.hpp"
#include "tests/temp_dir.hpp"

// The built-in plugins (webhook, file-sink) run through a real plugin_host, the webhook
// against a real HTTP server on 127.0.0.1.

using namespace sluice;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr auto wait_limit = 60s; // bounds a broken test; not a speed requirement

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// Runs one invocation and waits for its result. The promise is shared with the
/// callback, so a failed wait cannot leave the callback with a dangling promise.
invocation_result run(plugin_host& host, const std::string& plugin, invocation inv) {
  auto promise = std::make_shared<std::promise<invocation_result>>();
  auto future = promise->get_future();
  host.invoke(plugin, std::move(inv),
              [promise](invocation_result r) { promise->set_value(std::move(r)); });
  REQUIRE(future.wait_for(wait_limit) == std::future_status::ready);
  return future.get();
}

plugin_host_config builtin_config(const std::string& dir, std::size_t threads = 4) {
  plugin_host_config c;
  c.dir = dir;
  c.threads = threads;
  c.builtins = builtin_plugins();
  return c;
}

plugin_message message(std::string id, std::string content_type, std::string body,
                       std::uint32_t attempts = 1) {
  plugin_message m;
  m.id = std::move(id);
  m.timestamp_ms = 1700000000123;
  m.content_type = std::move(content_type);
  m.body = std::move(body);
  m.attempts = attempts;
  return m;
}

/// One message of each content type: text (with characters JSON must escape), json and
/// bytes (with NUL and high bytes).
invocation sample_batch(std::map<std::string, std::string> env) {
  invocation inv;
  inv.queue_name = "orders";
  inv.messages.push_back(message("id-0", "text", "h\xc3\xa9llo \"world\"\n", 1));
  inv.messages.push_back(message("id-1", "json", R"({"a":[1,2]})", 2));
  inv.messages.push_back(message("id-2", "bytes", std::string("\x00\x01\xfe\xff", 4), 3));
  inv.env = std::move(env);
  return inv;
}

std::vector<message_decision> all(message_decision d, std::size_t n = 3) {
  return std::vector<message_decision>(n, d);
}

// ---------------------------------------------------------------------------------------
// The webhook's receiving end is test::http_receiver (tests/http_receiver.hpp); each test
// scripts the replies it needs (default: 200 with an empty body).

struct scripted_reply {
  int status = 200;
  std::string body;
  std::chrono::milliseconds delay{0}; ///< before replying
};

void script(test::http_receiver& server, scripted_reply reply) {
  server.script({reply.status, std::move(reply.body), "application/json", {}}, reply.delay);
}

/// A local port nobody listens on: bound, read, and released again.
unsigned short closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0
                     && ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  REQUIRE(bound);
  return ntohs(addr.sin_port);
}

/// Posts the sample batch and returns the result; the server replies `reply`.
invocation_result webhook_with_reply(scripted_reply reply) {
  test::temp_dir dir;
  test::http_receiver server;
  script(server, std::move(reply));
  plugin_host host(builtin_config(dir.path()));
  return run(host, "webhook", sample_batch({{"URL", server.url()}}));
}

// ---------------------------------------------------------------------------------------
// File-sink helpers.

/// The regular files of `dir`, sorted by name.
std::vector<fs::path> files_in(const std::string& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file())
      out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> lines_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

/// Every line of every file in name order.
std::vector<std::string> all_lines(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& file : files_in(dir))
    for (auto& line : lines_of(file))
      out.push_back(std::move(line));
  return out;
}

/// True for `sluice-<queue>-<yyyymmddThhmmssZ>-<seq>.ndjson` (no std::regex: GCC 12
/// warns inside <regex> under sanitizers, and warnings are errors).
bool is_sink_file_name(const std::string& name, const std::string& queue) {
  const std::string prefix = "sluice-" + queue + "-";
  const std::string pattern = "########T######Z-######.ndjson"; // #: a digit
  if (name.size() != prefix.size() + pattern.size() || name.compare(0, prefix.size(), prefix) != 0)
    return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = name[prefix.size() + i];
    if (pattern[i] == '#' ? !std::isdigit(static_cast<unsigned char>(c)) : c != pattern[i])
      return false;
  }
  return true;
}

invocation text_batch(const std::string& queue, const std::string& prefix, int count,
                      std::map<std::string, std::string> env, std::size_t body_bytes = 16) {
  invocation inv;
  inv.queue_name = queue;
  for (int i = 0; i < count; ++i) {
    std::string id = prefix + "-" + std::to_string(i);
    std::string body = id + ":" + std::string(body_bytes, 'x');
    inv.messages.push_back(message(id, "text", body));
  }
  inv.env = std::move(env);
  return inv;
}

/// The "id" of an NDJSON line (fails the test when the line is not a JSON object).
std::string id_of(const std::string& line) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  REQUIRE(parser.parse(line).get(obj) == simdjson::SUCCESS);
  std::string_view id;
  REQUIRE(obj["id"].get(id) == simdjson::SUCCESS);
  return std::string(id);
}

} // namespace

// ---------------------------------------------------------------------------------------
// The host's built-ins hook.

TEST_CASE("built-ins are listed with the directory's plugins and win over a same-named file",
          "[builtin]") {
  test::temp_dir dir;
  fs::copy_file(std::string(SLUICE_TEST_PLUGIN_DIR) + "/log.so", dir.path() + "/log.so");
  fs::copy_file(std::string(SLUICE_TEST_PLUGIN_DIR) + "/log.so", dir.path() + "/webhook.so");
  plugin_host host(builtin_config(dir.path()));
  CHECK(host.available() == std::vector<std::string>{"file-sink", "log", "webhook"});

  // webhook.so is the log plugin, which would ack: the built-in fails for want of a URL.
  auto r = run(host, "webhook", sample_batch({}));
  CHECK(r.failed);
  CHECK(contains(r.error, "webhook: env.URL is not set"));
  CHECK_FALSE(run(host, "log", sample_batch({})).failed);

  plugin_host without_dir(builtin_config(dir.path() + "/does-not-exist"));
  CHECK(without_dir.available() == std::vector<std::string>{"file-sink", "webhook"});
}

namespace {
const sluice_plugin_v1* declining_entry(std::uint32_t) {
  return nullptr;
}
const sluice_plugin_v1* abi2_entry(std::uint32_t) {
  static const sluice_plugin_v1 table = {2, nullptr};
  return &table;
}
} // namespace

TEST_CASE("a built-in goes through the same ABI checks as a loaded plugin", "[builtin]") {
  test::temp_dir dir;
  plugin_host_config c;
  c.dir = dir.path();
  c.builtins = {{"declines", &declining_entry}, {"abi2", &abi2_entry}, {"null", nullptr}};
  plugin_host host(c);

  auto r = run(host, "declines", sample_batch({}));
  CHECK(r.failed);
  CHECK(contains(r.error, "plugin 'declines' (built-in) does not support plugin ABI version 1"));
  CHECK(r.decisions == all(retry_decision()));

  r = run(host, "abi2", sample_batch({}));
  CHECK(contains(r.error, "plugin 'abi2' (built-in) was built for plugin ABI version 2"));

  r = run(host, "null", sample_batch({}));
  CHECK(contains(r.error, "plugin 'null' (built-in) has no entry function"));
}

// ---------------------------------------------------------------------------------------
// webhook

TEST_CASE("webhook posts the batch as JSON and a 2xx reply with no body acks every message",
          "[builtin][webhook]") {
  test::temp_dir dir;
  test::http_receiver server;
  script(server, {204, "", 0ms});
  plugin_host host(builtin_config(dir.path()));
  auto r = run(host, "webhook", sample_batch({{"URL", server.url("/hook?token=abc")}}));
  CHECK_FALSE(r.failed);
  CHECK(r.error.empty());
  CHECK(r.decisions == all(ack_decision()));

  auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].path == "/hook");
  CHECK(requests[0].query == "token=abc");
  CHECK(requests[0].content_type == "application/json");

  simdjson::dom::parser parser;
  simdjson::dom::object root;
  REQUIRE(parser.parse(requests[0].body).get(root) == simdjson::SUCCESS);
  CHECK(std::string_view(root["queue"]) == "orders");
  simdjson::dom::array messages = root["messages"];
  REQUIRE(messages.size() == 3);

  struct expected {
    const char* id;
    std::int64_t attempts;
    const char* content_type;
    std::string body;
  };
  const std::vector<expected> want = {
      {"id-0", 1, "text", "h\xc3\xa9llo \"world\"\n"}, // raw UTF-8
      {"id-1", 2, "json", "eyJhIjpbMSwyXX0="},         // base64 of {"a":[1,2]}
      {"id-2", 3, "bytes", "AAH+/w=="},                // base64 of 00 01 fe ff
  };
  std::size_t i = 0;
  for (simdjson::dom::object m : messages) {
    INFO("message " << i);
    CHECK(m.size() == 5);
    CHECK(std::string_view(m["id"]) == want[i].id);
    CHECK(std::int64_t(m["timestamp_ms"]) == 1700000000123);
    CHECK(std::int64_t(m["attempts"]) == want[i].attempts);
    CHECK(std::string_view(m["content_type"]) == want[i].content_type);
    CHECK(std::string_view(m["body"]) == want[i].body);
    ++i;
  }
}

TEST_CASE("webhook applies acks then retries from the reply, first call on a message wins",
          "[builtin][webhook]") {
  auto r = webhook_with_reply({200,
                               R"({"acks": ["id-0", "nope"],
                                   "retries": [{"id": "id-0", "delay_seconds": 7},
                                               {"id": "id-1", "delay_seconds": 30},
                                               {"id": "id-2"}, {"id": "unknown"}]})",
                               0ms});
  CHECK_FALSE(r.failed);
  CHECK(r.decisions
        == std::vector<message_decision>{ack_decision(), retry_decision(30), retry_decision()});
}

TEST_CASE("webhook applies ack_all and retry_all after the per-message lists",
          "[builtin][webhook]") {
  struct row {
    const char* reply;
    std::vector<message_decision> decisions;
  };
  const std::vector<row> rows = {
      {R"({"acks": ["id-0"], "retry_all": {"delay_seconds": 60}})",
       {ack_decision(), retry_decision(60), retry_decision(60)}},
      {R"({"retries": [{"id": "id-1", "delay_seconds": 5}], "ack_all": true, "retry_all": {}})",
       {ack_decision(), retry_decision(5), ack_decision()}},
      {R"({"retry_all": {}})", all(retry_decision())},
      {R"({"retry_all": {"delay_seconds": 0}})", all(retry_decision(0))},
      {R"({"retry_all": null, "ack_all": false})", all(ack_decision())},
      {R"({"retries": [{"id": "id-2", "delay_seconds": 99999}]})",
       {ack_decision(), ack_decision(), retry_decision(86400)}},
      {R"({"something": "else"})", all(ack_decision())},
      {R"(["not", "an", "object"])", all(ack_decision())},
      {"ok", all(ack_decision())},
  };
  for (const auto& row : rows) {
    INFO("reply " << row.reply);
    auto r = webhook_with_reply({200, row.reply, 0ms});
    CHECK_FALSE(r.failed);
    CHECK(r.decisions == row.decisions);
  }
}

TEST_CASE("webhook applies ordered decisions first: the first call on a message wins",
          "[builtin][webhook]") {
  struct row {
    const char* reply;
    std::vector<message_decision> decisions;
  };
  const std::vector<row> rows = {
      // "retry then ack" is a retry; "ack then retry" an ack.
      {R"({"decisions": [{"id": "id-0", "op": "retry", "delay_seconds": 9},
                         {"id": "id-0", "op": "ack"},
                         {"id": "id-1", "op": "ack"}, {"id": "id-1", "op": "retry"}]})",
       {retry_decision(9), ack_decision(), ack_decision()}},
      // Decisions come before the lists; batch-level ops in order too.
      {R"({"decisions": [{"id": "id-2", "op": "retry"}, {"op": "retry_all", "delay_seconds": 4},
                         {"op": "ack_all"}],
           "acks": ["id-2"]})",
       {retry_decision(4), retry_decision(4), retry_decision()}},
      {R"({"decisions": [{"op": "ack_all"}], "retry_all": {}})", all(ack_decision())},
      {R"({"decisions": [], "retries": [{"id": "id-1"}]})",
       {ack_decision(), retry_decision(), ack_decision()}},
  };
  for (const auto& row : rows) {
    INFO("reply " << row.reply);
    auto r = webhook_with_reply({200, row.reply, 0ms});
    CHECK_FALSE(r.failed);
    CHECK(r.decisions == row.decisions);
  }
}

TEST_CASE("webhook refuses a decision it cannot apply, naming it", "[builtin][webhook]") {
  struct row {
    const char* reply;
    const char* problem;
  };
  const std::vector<row> rows = {
      {R"({"decisions": {"op": "ack"}})", "decisions must be an array"},
      {R"({"decisions": ["id-0"]})", "decisions[0] must be an object"},
      {R"({"decisions": [{"id": "id-0"}]})", "decisions[0].op is required"},
      {R"({"decisions": [{"id": "id-0", "op": "nack"}]})",
       "decisions[0].op must be ack, retry, ack_all or retry_all, got 'nack'"},
      {R"({"decisions": [{"op": "ack_all"}, {"op": "retry"}]})",
       "decisions[1].id is required for retry"},
      {R"({"decisions": [{"op": "retry", "id": "id-0", "delay_seconds": -3}]})",
       "decisions[0].delay_seconds must be 0 or more"},
  };
  for (const auto& row : rows) {
    INFO("reply " << row.reply);
    auto r = webhook_with_reply({200, row.reply, 0ms});
    CHECK(r.failed);
    CHECK(contains(r.error, row.problem));
    CHECK(r.decisions == all(retry_decision()));
  }
}

TEST_CASE("webhook: a decision body on an error status is kept, the rest is retried",
          "[builtin][webhook]") {
  struct row {
    int status;
    const char* reply;
    std::vector<message_decision> decisions;
  };
  const std::vector<row> rows = {
      // Explicit acks stay acked, the undecided are retried.
      {500, R"({"acks": ["id-1"]})", {retry_decision(), ack_decision(), retry_decision()}},
      // ack_all before the failure acks everything (Cloudflare's ackAll rule).
      {503, R"({"ack_all": true})", all(ack_decision())},
      {500,
       R"({"decisions": [{"id": "id-0", "op": "retry", "delay_seconds": 30},
                              {"id": "id-0", "op": "ack"}, {"id": "id-2", "op": "ack"}]})",
       {retry_decision(30), retry_decision(), ack_decision()}},
      // Nothing decided, or garbled: everything is retried.
      {500, R"({"error": "boom"})", all(retry_decision())},
      {502, R"({"acks": "id-0"})", all(retry_decision())},
      {500, "Internal Server Error", all(retry_decision())},
  };
  for (const auto& row : rows) {
    INFO("HTTP " << row.status << " " << row.reply);
    auto r = webhook_with_reply({row.status, row.reply, 0ms});
    CHECK(r.failed);
    CHECK(contains(r.error, "answered HTTP " + std::to_string(row.status)));
    CHECK(r.decisions == row.decisions);
  }
  auto kept = webhook_with_reply({500, R"({"acks": ["id-1"]})", 0ms});
  CHECK(contains(kept.error, "its decisions are kept, every other message is retried"));
}

TEST_CASE("webhook fails the invocation on a reply it cannot apply", "[builtin][webhook]") {
  auto r = webhook_with_reply({200, R"({"acks": "id-0"})", 0ms});
  CHECK(r.failed);
  CHECK(contains(r.error, "acks must be an array of strings"));
  CHECK(r.decisions == all(retry_decision()));

  r = webhook_with_reply({200, R"({"retries": [{"id": "id-0", "delay_seconds": -1}]})", 0ms});
  CHECK(r.failed);
  CHECK(contains(r.error, "retries[0].delay_seconds must be 0 or more"));
  CHECK(r.decisions == all(retry_decision()));
}

TEST_CASE("webhook fails on a non-2xx status and quotes the start of the reply",
          "[builtin][webhook]") {
  test::temp_dir dir;
  test::http_receiver server;
  script(server, {500, std::string(150, 'a') + std::string(150, 'b'), 0ms});
  plugin_host host(builtin_config(dir.path()));
  auto r = run(host, "webhook", sample_batch({{"URL", server.url()}}));
  CHECK(r.failed);
  CHECK(contains(r.error, "POST " + server.url() + " answered HTTP 500"));
  CHECK(contains(r.error, std::string(150, 'a') + std::string(50, 'b')));
  CHECK_FALSE(contains(r.error, std::string(51, 'b')));
  CHECK(r.decisions == all(retry_decision()));
}

TEST_CASE("webhook fails when the connection is refused", "[builtin][webhook]") {
  test::temp_dir dir;
  plugin_host host(builtin_config(dir.path()));
  const std::string url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/hook";
  auto r = run(host, "webhook", sample_batch({{"URL", url}}));
  CHECK(r.failed);
  CHECK(contains(r.error, "webhook: cannot reach " + url));
  CHECK(r.decisions == all(retry_decision()));
}

namespace {

/// A server on 127.0.0.1 that accepts one connection, reads the request's head, sends the
/// start of a 200 reply promising more body than it sends, then resets the connection
/// (SO_LINGER 0): a receiver dying in the middle of its reply.
class resetting_server {
public:
  resetting_server() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listener_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener_, 4) == 0);
    REQUIRE(::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve_one(); });
  }
  ~resetting_server() {
    thread_.join();
    ::close(listener_);
  }
  resetting_server(const resetting_server&) = delete;
  resetting_server& operator=(const resetting_server&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }

private:
  void serve_one() {
    const int fd = ::accept(listener_, nullptr, nullptr);
    if (fd < 0)
      return;
    std::string head;
    char buf[4096];
    while (head.find("\r\n\r\n") == std::string::npos) {
      const auto n = ::read(fd, buf, sizeof buf);
      if (n <= 0)
        break;
      head.append(buf, static_cast<std::size_t>(n));
    }
    const std::string partial = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                                "content-length: 1000\r\n\r\n{\"acks\": [";
    (void)!::write(fd, partial.data(), partial.size());
    linger reset{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    ::close(fd);
  }

  int listener_ = -1;
  unsigned short port_ = 0;
  std::thread thread_;
};

} // namespace

TEST_CASE("webhook fails when the receiver resets the connection in the middle of its reply",
          "[builtin][webhook]") {
  test::temp_dir dir;
  resetting_server server;
  plugin_host host(builtin_config(dir.path()));
  auto r = run(host, "webhook", sample_batch({{"URL", server.url()}}));
  CHECK(r.failed);
  CHECK(contains(r.error,
                 "exception: webhook: cannot reach " + server.url() + ": reading the reply: "));
  CHECK(r.decisions == all(retry_decision()));
}

TEST_CASE("webhook waits for its replies without holding pool threads", "[builtin][webhook]") {
  test::temp_dir dir;
  plugin_host host(builtin_config(dir.path(), 1));
  constexpr std::size_t posts = 12;
  std::vector<std::future<invocation_result>> results;
  {
    // Replies wait until the receiver is destroyed, which cuts the delays short.
    test::http_receiver server{test::http_receiver::ok_empty, 60s};
    for (std::size_t i = 0; i < posts; ++i) {
      auto promise = std::make_shared<std::promise<invocation_result>>();
      results.push_back(promise->get_future());
      host.invoke("webhook", sample_batch({{"URL", server.url()}, {"TIMEOUT_MS", "20000"}}),
                  [promise](invocation_result r) { promise->set_value(std::move(r)); });
    }
    const auto give_up = std::chrono::steady_clock::now() + wait_limit;
    while (server.count() < posts && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(10ms);
    // One pool thread, yet every batch is at the receiver at once.
    CHECK(server.max_in_flight() == posts);
    CHECK(host.async_in_flight() == posts);
  }
  for (auto& f : results) {
    REQUIRE(f.wait_for(wait_limit) == std::future_status::ready);
    auto r = f.get();
    if (r.failed)
      CHECK(contains(r.error, "exception: webhook: "));
  }
  CHECK(host.async_in_flight() == 0);
}

TEST_CASE("webhook fails after TIMEOUT_MS when the server is slow", "[builtin][webhook]") {
  test::temp_dir dir;
  test::http_receiver server;
  script(server, {200, "", 5000ms}); // cut short when the server stops
  plugin_host host(builtin_config(dir.path()));
  const auto started = std::chrono::steady_clock::now();
  auto r = run(host, "webhook", sample_batch({{"URL", server.url()}, {"TIMEOUT_MS", "200"}}));
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK(r.failed);
  CHECK(contains(r.error, "webhook: no reply from " + server.url() + " within TIMEOUT_MS=200 ms"));
  CHECK(r.decisions == all(retry_decision()));
  CHECK(took >= 200ms);
  CHECK(took < 3000ms);
}

TEST_CASE("webhook fails with a clear message when its env is wrong", "[builtin][webhook]") {
  test::temp_dir dir;
  plugin_host host(builtin_config(dir.path()));

  auto r = run(host, "webhook", sample_batch({}));
  CHECK(r.failed);
  CHECK(contains(r.error, "exception: webhook: env.URL is not set"));
  CHECK(r.decisions == all(retry_decision()));

  r = run(host, "webhook", sample_batch({{"URL", "https://example.com/hook"}}));
  CHECK(r.failed);
  CHECK(contains(r.error, "https is not supported"));

  r = run(host, "webhook", sample_batch({{"URL", "ftp://example.com/"}}));
  CHECK(contains(r.error, "must start with http://"));

  r = run(host, "webhook",
          sample_batch({{"URL", "http://127.0.0.1:1/hook"}, {"TIMEOUT_MS", "soon"}}));
  CHECK(r.failed);
  CHECK(contains(r.error, "webhook: env.TIMEOUT_MS must be a whole number"));
}

TEST_CASE("webhook URLs: http://host[:port][/path][?query] and clear refusals",
          "[builtin][webhook]") {
  using http::parse_http_url;
  auto u = parse_http_url("http://example.com");
  CHECK(u.host == "example.com");
  CHECK(u.port == 80);
  CHECK(u.target == "/");

  u = parse_http_url("HTTP://127.0.0.1:9000/a/b?x=1&y=%20#frag");
  CHECK(u.host == "127.0.0.1");
  CHECK(u.port == 9000);
  CHECK(u.target == "/a/b?x=1&y=%20");

  u = parse_http_url("http://[::1]:8080?q");
  CHECK(u.host == "::1");
  CHECK(u.port == 8080);
  CHECK(u.target == "/?q");

  const std::vector<std::pair<std::string, std::string>> refused = {
      {"https://example.com/", "https is not supported"},
      {"example.com/hook", "must start with http://"},
      {"http://", "the host is empty"},
      {"http://:80/", "the host is empty"},
      {"http://user:pw@example.com/", "user info"},
      {"http://example.com:0/", "port must be a number from 1 to 65535"},
      {"http://example.com:65536/", "port must be a number from 1 to 65535"},
      {"http://example.com:80x/", "port must be a number from 1 to 65535"},
      {"http://example.com:/", "the port is empty"},
      {"http://exa mple.com/", "space or a control character"},
      {"http://[::1/", "no closing ']'"},
      {"http://[::1]x/", "unexpected text after the IPv6 address"},
      {"http://exa$mple.com/", "is not a host name"},
  };
  for (const auto& [text, why] : refused) {
    INFO(text);
    CHECK_THROWS_WITH(parse_http_url(text), Catch::Contains(why));
  }
}

// ---------------------------------------------------------------------------------------
// file-sink

TEST_CASE("file-sink writes one parseable NDJSON line per message", "[builtin][file-sink]") {
  test::temp_dir plugins;
  test::temp_dir out;
  const std::string dir = out.path() + "/nested/sink"; // created on first use
  plugin_host host(builtin_config(plugins.path()));
  auto r = run(host, "file-sink", sample_batch({{"DIR", dir}}));
  CHECK_FALSE(r.failed);
  CHECK(r.error.empty());
  CHECK(r.decisions == all(ack_decision()));

  auto files = files_in(dir);
  REQUIRE(files.size() == 1);
  CHECK(is_sink_file_name(files[0].filename().string(), "orders"));
  auto lines = lines_of(files[0]);
  REQUIRE(lines.size() == 3);

  simdjson::dom::parser parser;
  const std::vector<std::string> bodies = {"h\xc3\xa9llo \"world\"\n",
                                           "eyJhIjpbMSwyXX0=", "AAH+/w=="};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    INFO(lines[i]);
    simdjson::dom::object obj;
    REQUIRE(parser.parse(lines[i]).get(obj) == simdjson::SUCCESS);
    CHECK(obj.size() == 6);
    CHECK(std::string_view(obj["queue"]) == "orders");
    CHECK(std::string_view(obj["id"]) == "id-" + std::to_string(i));
    CHECK(std::int64_t(obj["timestamp_ms"]) == 1700000000123);
    CHECK(std::int64_t(obj["attempts"]) == static_cast<std::int64_t>(i + 1));
    CHECK(std::string_view(obj["body"]) == bodies[i]);
  }
  CHECK(std::string_view(parser.parse(lines[1])["content_type"]) == "json");

  // A second batch goes on in the same file.
  r = run(host, "file-sink", text_batch("orders", "more", 2, {{"DIR", dir}}));
  CHECK_FALSE(r.failed);
  REQUIRE(files_in(dir).size() == 1);
  CHECK(lines_of(files[0]).size() == 5);
}

TEST_CASE("file-sink rotates when a line would pass MAX_BYTES", "[builtin][file-sink]") {
  test::temp_dir plugins;
  test::temp_dir out;
  plugin_host host(builtin_config(plugins.path()));

  // Learn the length of one line (they all have the same length here).
  test::temp_dir probe;
  REQUIRE_FALSE(run(host, "file-sink", text_batch("q", "m", 1, {{"DIR", probe.path()}})).failed);
  const std::size_t line_bytes = fs::file_size(files_in(probe.path()).at(0));

  const std::string max_bytes = std::to_string(line_bytes * 2 + line_bytes / 2); // 2.5 lines
  auto r = run(host, "file-sink",
               text_batch("q", "m", 5, {{"DIR", out.path()}, {"MAX_BYTES", max_bytes}}));
  CHECK_FALSE(r.failed);
  auto files = files_in(out.path());
  REQUIRE(files.size() == 3); // 2 + 2 + 1 lines
  CHECK(lines_of(files[0]).size() == 2);
  CHECK(lines_of(files[1]).size() == 2);
  CHECK(lines_of(files[2]).size() == 1);
  for (const auto& f : files)
    CHECK(fs::file_size(f) <= line_bytes * 2 + line_bytes / 2);

  // File names sort in writing order.
  std::vector<std::string> ids;
  for (const auto& line : all_lines(out.path()))
    ids.push_back(id_of(line));
  CHECK(ids == std::vector<std::string>{"m-0", "m-1", "m-2", "m-3", "m-4"});

  // A line longer than MAX_BYTES gets a file of its own.
  test::temp_dir big;
  r = run(host, "file-sink",
          text_batch("q", "big", 2, {{"DIR", big.path()}, {"MAX_BYTES", "10"}}, 100));
  CHECK_FALSE(r.failed);
  CHECK(files_in(big.path()).size() == 2);
}

TEST_CASE("file-sink rotates when the current file is older than MAX_SECONDS",
          "[builtin][file-sink]") {
  test::temp_dir plugins;
  test::temp_dir out;
  plugin_host host(builtin_config(plugins.path()));
  std::map<std::string, std::string> env = {{"DIR", out.path()}, {"MAX_SECONDS", "1"}};

  REQUIRE_FALSE(run(host, "file-sink", text_batch("q", "first", 2, env)).failed);
  REQUIRE_FALSE(run(host, "file-sink", text_batch("q", "second", 1, env)).failed);
  CHECK(files_in(out.path()).size() == 1); // younger than a second: same file
  std::this_thread::sleep_for(1100ms);
  REQUIRE_FALSE(run(host, "file-sink", text_batch("q", "third", 1, env)).failed);

  auto files = files_in(out.path());
  REQUIRE(files.size() == 2);
  CHECK(lines_of(files[0]).size() == 3);
  REQUIRE(lines_of(files[1]).size() == 1);
  CHECK(id_of(lines_of(files[1])[0]) == "third-0");
}

TEST_CASE("file-sink keeps concurrent batches to one directory from interleaving",
          "[builtin][file-sink]") {
  test::temp_dir plugins;
  test::temp_dir out;
  plugin_host host(builtin_config(plugins.path(), 4));
  constexpr int batches = 8;
  constexpr int per_batch = 50;

  std::vector<std::future<invocation_result>> results;
  for (int b = 0; b < batches; ++b) {
    auto promise = std::make_shared<std::promise<invocation_result>>();
    results.push_back(promise->get_future());
    host.invoke("file-sink",
                text_batch("q", "b" + std::to_string(b), per_batch, {{"DIR", out.path()}}, 2000),
                [promise](invocation_result r) { promise->set_value(std::move(r)); });
  }
  for (auto& f : results) {
    REQUIRE(f.wait_for(wait_limit) == std::future_status::ready);
    CHECK_FALSE(f.get().failed);
  }

  auto lines = all_lines(out.path());
  REQUIRE(lines.size() == static_cast<std::size_t>(batches * per_batch));
  // Every line parses, and each batch's lines form one run, in order.
  std::vector<std::string> runs;
  std::map<std::string, int> next_index;
  for (const auto& line : lines) {
    const std::string id = id_of(line);
    const std::string batch = id.substr(0, id.find('-'));
    if (runs.empty() || runs.back() != batch)
      runs.push_back(batch);
    CHECK(id == batch + "-" + std::to_string(next_index[batch]++));
  }
  CHECK(runs.size() == static_cast<std::size_t>(batches));
  CHECK(std::set<std::string>(runs.begin(), runs.end()).size() == runs.size());
}

TEST_CASE("file-sink starts a new file when the current one was moved away",
          "[builtin][file-sink]") {
  test::temp_dir plugins;
  test::temp_dir out;
  test::temp_dir elsewhere;
  plugin_host host(builtin_config(plugins.path()));
  std::map<std::string, std::string> env = {{"DIR", out.path()}};

  REQUIRE_FALSE(run(host, "file-sink", text_batch("q", "a", 1, env)).failed);
  auto first = files_in(out.path()).at(0);
  fs::rename(first, elsewhere.path() + "/shipped.ndjson");
  REQUIRE_FALSE(run(host, "file-sink", text_batch("q", "b", 1, env)).failed);

  auto files = files_in(out.path());
  REQUIRE(files.size() == 1);
  CHECK(id_of(lines_of(files[0]).at(0)) == "b-0");
  CHECK(lines_of(elsewhere.path() + "/shipped.ndjson").size() == 1);
}

TEST_CASE("file-sink fails with a clear message when it cannot write", "[builtin][file-sink]") {
  test::temp_dir plugins;
  test::temp_dir out;
  plugin_host host(builtin_config(plugins.path()));

  auto r = run(host, "file-sink", sample_batch({}));
  CHECK(r.failed);
  CHECK(contains(r.error, "exception: file-sink: env.DIR is not set"));
  CHECK(r.decisions == all(retry_decision()));

  std::ofstream(out.path() + "/a-file") << "x";
  r = run(host, "file-sink", sample_batch({{"DIR", out.path() + "/a-file"}}));
  CHECK(r.failed);
  CHECK(contains(r.error, "file-sink: cannot create directory " + out.path() + "/a-file"));
  CHECK(r.decisions == all(retry_decision()));

  r = run(host, "file-sink", sample_batch({{"DIR", out.path()}, {"MAX_BYTES", "-1"}}));
  CHECK(r.failed);
  CHECK(contains(r.error, "file-sink: env.MAX_BYTES must be a whole number"));
}
