// The plugin host's asynchronous path (docs/plugins.md "Asynchronous plugins"): invocations
// of an asynchronous plugin hold no pool thread while they wait, are bounded by max_async
// in FIFO order, time out without a thread, and survive the host's end. The test plugin
// "parked" (parked_plugin.hpp) waits until the test completes it; "gate" is a blocking
// built-in that holds its pool thread until the test opens the gate.
#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "actors/plugins/host/plugin_host.hpp"
#include "tests/temp_dir.hpp"
#include "tests/unit/plugins/parked_plugin.hpp"

using namespace sluice;
using namespace std::chrono_literals;

namespace {

constexpr auto wait_limit = 60s; // bounds a broken test; not a speed requirement

/// A blocking plugin's gate: closed until the test opens it.
struct gate_state {
  std::mutex mutex;
  std::condition_variable cv;
  bool open = false;
  int waiting = 0;
};

gate_state& gate() {
  static gate_state g;
  return g;
}

class gate_plugin {
public:
  void queue(MessageBatch&, Env&) {
    auto& g = gate();
    std::unique_lock<std::mutex> lock(g.mutex);
    ++g.waiting;
    g.cv.notify_all();
    g.cv.wait(lock, [&] { return g.open; });
  }
};

void set_gate(bool open) {
  auto& g = gate();
  {
    std::lock_guard<std::mutex> lock(g.mutex);
    g.open = open;
    if (!open)
      g.waiting = 0;
  }
  g.cv.notify_all();
}

bool wait_gate_waiting(int n) {
  auto& g = gate();
  std::unique_lock<std::mutex> lock(g.mutex);
  return g.cv.wait_for(lock, wait_limit, [&] { return g.waiting >= n; });
}

using result_future = std::future<invocation_result>;

result_future invoke(plugin_host& host, const std::string& plugin, invocation inv) {
  auto promise = std::make_shared<std::promise<invocation_result>>();
  auto future = promise->get_future();
  host.invoke(plugin, std::move(inv),
              [promise](invocation_result r) { promise->set_value(std::move(r)); });
  return future;
}

invocation_result get(result_future& f) {
  REQUIRE(f.wait_for(wait_limit) == std::future_status::ready);
  return f.get();
}

invocation batch(const std::string& queue, std::size_t messages,
                 std::map<std::string, std::string> env = {}) {
  invocation inv;
  inv.queue_name = queue;
  for (std::size_t i = 0; i < messages; ++i) {
    plugin_message m;
    m.id = "m" + std::to_string(i);
    m.body = "body";
    m.content_type = "text";
    inv.messages.push_back(std::move(m));
  }
  inv.env = std::move(env);
  return inv;
}

plugin_host_config async_config(std::size_t threads = 1) {
  plugin_host_config c;
  c.dir = "/nonexistent";
  c.threads = threads;
  c.builtins = {{"parked", test::parked_builtin()},
                {"gate", &detail::entry<&detail::queue_with_class<gate_plugin>>}};
  return c;
}

} // namespace

TEST_CASE("asynchronous invocations hold no pool thread: 20 wait at once beside a blocked pool",
          "[plugin-host][async]") {
  test::parked().clear();
  set_gate(false);
  plugin_host host(async_config(1));
  auto blocked = invoke(host, "gate", batch("slow", 1)); // holds the only pool thread
  REQUIRE(wait_gate_waiting(1));

  std::vector<result_future> results;
  for (int i = 0; i < 20; ++i)
    results.push_back(invoke(host, "parked", batch("q" + std::to_string(i), 2)));
  REQUIRE(test::parked().wait_for(20));
  CHECK(host.async_in_flight() == 20);
  CHECK(test::parked().size() == 20);

  // Decisions made before completing are kept; completion is what `done` reports.
  for (int i = 0; i < 20; ++i) {
    auto inv = test::parked().take();
    REQUIRE(inv);
    CHECK(inv->batch().queue_name() == "q" + std::to_string(i)); // started in FIFO order
    inv->batch().messages()[1].retry({7});
    if (i % 2 == 0)
      inv->succeed();
    else
      inv->fail("receiver said no");
  }
  for (int i = 0; i < 20; ++i) {
    auto r = get(results[static_cast<std::size_t>(i)]);
    CHECK(r.failed == (i % 2 == 1));
    if (i % 2 == 0) {
      CHECK(r.error.empty());
      CHECK(r.decisions == std::vector<message_decision>{ack_decision(), retry_decision(7)});
    } else {
      CHECK(r.error == "exception: receiver said no");
      CHECK(r.decisions == std::vector<message_decision>{retry_decision(), retry_decision(7)});
    }
  }
  CHECK(host.async_in_flight() == 0);
  set_gate(true);
  CHECK_FALSE(get(blocked).failed);
}

TEST_CASE("max_async bounds asynchronous invocations, the rest start in FIFO order",
          "[plugin-host][async]") {
  test::parked().clear();
  auto c = async_config(2);
  c.max_async = 3;
  plugin_host host(c);
  std::vector<result_future> results;
  for (int i = 0; i < 6; ++i)
    results.push_back(invoke(host, "parked", batch("q" + std::to_string(i), 1)));
  REQUIRE(test::parked().wait_for(3));
  CHECK(host.async_in_flight() == 3);
  for (int i = 0; i < 6; ++i) {
    REQUIRE(test::parked().wait_for(1));
    auto inv = test::parked().take();
    CHECK(inv->batch().queue_name() == "q" + std::to_string(i));
    inv->succeed();
    CHECK_FALSE(get(results[static_cast<std::size_t>(i)]).failed);
  }
  CHECK(test::parked().peak() == 3); // never more than max_async waiting at once
}

TEST_CASE("an asynchronous invocation past its limit fails without a thread, its late "
          "completion only frees it",
          "[plugin-host][async]") {
  test::parked().clear();
  plugin_host host(async_config(1));
  auto inv = batch("q", 2);
  inv.limit = 50ms;
  auto late = invoke(host, "parked", std::move(inv));
  auto r = get(late); // the watchdog reports the time-out while the plugin still waits
  CHECK(r.failed);
  CHECK(r.error == "timeout after 50 ms");
  CHECK(r.decisions == std::vector<message_decision>(2, retry_decision()));
  CHECK(host.abandoned() == 0); // no thread is held
  CHECK(host.async_in_flight() == 1);

  auto parked = test::parked().take();
  REQUIRE(parked);
  parked->batch().messages()[0].ack(); // still valid memory, ignored
  parked->succeed();
  CHECK(host.async_in_flight() == 0);
}

TEST_CASE("an asynchronous plugin that throws, drops or completes at once",
          "[plugin-host][async]") {
  test::parked().clear();
  plugin_host host(async_config(1));
  auto thrown = invoke(host, "parked", batch("q", 1, {{"MODE", "throw"}}));
  auto r = get(thrown);
  CHECK(r.failed);
  CHECK(r.error == "exception: parked: refused to start");

  auto dropped = invoke(host, "parked", batch("q", 1, {{"MODE", "drop"}}));
  r = get(dropped);
  CHECK(r.failed);
  CHECK(r.error == "exception: the plugin dropped the invocation without completing it");

  auto at_once = invoke(host, "parked", batch("q", 3, {{"MODE", "succeed"}}));
  r = get(at_once);
  CHECK_FALSE(r.failed);
  CHECK(r.decisions == std::vector<message_decision>(3, ack_decision()));
  CHECK(host.async_in_flight() == 0);
}

TEST_CASE("stopping the host fails asynchronous invocations still waiting after the grace",
          "[plugin-host][async]") {
  test::parked().clear();
  result_future waiting;
  {
    auto c = async_config(1);
    c.shutdown_grace = 50ms;
    plugin_host host(c);
    waiting = invoke(host, "parked", batch("q", 1));
    REQUIRE(test::parked().wait_for(1));
  }
  auto r = get(waiting);
  CHECK(r.failed);
  CHECK(r.error == "plugin host stopped while the handler ran");
  // The batch outlives the host until the plugin completes it.
  auto parked = test::parked().take();
  REQUIRE(parked);
  CHECK(parked->batch().messages().size() == 1);
  parked->succeed();
}

TEST_CASE("a host without the asynchronous path runs an asynchronous plugin blocking",
          "[plugin-host][async]") {
  test::parked().clear();
  plugin_host_config c = async_config(2);
  c.builtins = {{"parked", test::parked_builtin().entry}}; // the v1 entry alone
  plugin_host host(c);
  auto r = invoke(host, "parked", batch("q", 2));
  REQUIRE(test::parked().wait_for(1));
  CHECK(host.async_in_flight() == 0); // it holds a pool thread instead
  auto inv = test::parked().take();
  inv->batch().messages()[0].retry({3});
  inv->succeed();
  auto result = get(r);
  CHECK_FALSE(result.failed);
  CHECK(result.decisions == std::vector<message_decision>{retry_decision(3), ack_decision()});
}

TEST_CASE("an asynchronous plugin loaded from a library completes on its own threads",
          "[plugin-host][async]") {
  plugin_host_config c;
  c.dir = SLUICE_TEST_ONLY_PLUGIN_DIR;
  c.threads = 1;
  plugin_host host(c);
  std::vector<result_future> results;
  for (int i = 0; i < 10; ++i) { // the first loads it on the pool, the rest go to the starter
    auto inv = batch("q", 2);
    inv.messages[1].body = i % 3 == 2 ? "fail" : "later";
    results.push_back(invoke(host, "deferred", std::move(inv)));
  }
  for (int i = 0; i < 10; ++i) {
    auto r = get(results[static_cast<std::size_t>(i)]);
    if (i % 3 == 2) {
      CHECK(r.failed);
      CHECK(r.error == "exception: deferred failure");
      CHECK(r.decisions == std::vector<message_decision>(2, retry_decision()));
    } else {
      CHECK_FALSE(r.failed);
      CHECK(r.decisions == std::vector<message_decision>{ack_decision(), retry_decision(5)});
    }
  }
  CHECK(host.async_in_flight() == 0);
}
