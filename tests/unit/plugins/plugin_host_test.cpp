#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "actors/plugins/host/plugin_host.hpp"
#include "tests/temp_dir.hpp"

using namespace sluice;
using namespace std::chrono_literals;

namespace {

const std::string examples_dir = SLUICE_TEST_PLUGIN_DIR;
const std::string test_dir = SLUICE_TEST_ONLY_PLUGIN_DIR;

// Generous: these bound a broken test, they do not measure speed.
constexpr auto wait_limit = 60s;

/// Receives one invocation's result on whatever thread `done` runs.
struct waiter {
  std::promise<invocation_result> promise;
  std::future<invocation_result> future = promise.get_future();
  std::thread::id thread;
  std::atomic<int>* sequence = nullptr;
  int position = -1;

  invocation_done callback() {
    return [this](invocation_result r) {
      thread = std::this_thread::get_id();
      if (sequence != nullptr)
        position = (*sequence)++;
      promise.set_value(std::move(r));
    };
  }
  invocation_result get() {
    REQUIRE(future.wait_for(wait_limit) == std::future_status::ready);
    return future.get();
  }
};

invocation batch(std::vector<std::pair<std::string, std::uint32_t>> bodies,
                 std::map<std::string, std::string> env = {}) {
  invocation inv;
  inv.queue_name = "orders";
  int n = 0;
  for (auto& [body, attempts] : bodies) {
    plugin_message m;
    m.id = "m" + std::to_string(n++);
    m.timestamp_ms = 1700000000000;
    m.body = body;
    m.content_type = "text";
    m.attempts = attempts;
    inv.messages.push_back(std::move(m));
  }
  inv.env = std::move(env);
  return inv;
}

plugin_host_config config_for(const std::string& dir, std::size_t threads = 2) {
  plugin_host_config c;
  c.dir = dir;
  c.threads = threads;
  return c;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("plugin host lists the plugins of its directory without loading them") {
  plugin_host examples(config_for(examples_dir));
  auto names = examples.available();
  CHECK(std::find(names.begin(), names.end(), "log") != names.end());
  CHECK(std::find(names.begin(), names.end(), "backoff") != names.end());

  plugin_host tests(config_for(test_dir));
  CHECK(tests.available()
        == std::vector<std::string>{"abi2", "declines", "deferred", "no_entry", "scripted",
                                    "sleepy", "throws"});

  plugin_host missing(config_for(test_dir + "/does-not-exist"));
  CHECK(missing.available().empty());
}

TEST_CASE("plugin host runs the log plugin on its own thread and acks every message") {
  plugin_host host(config_for(examples_dir));
  waiter w;
  host.invoke("log", batch({{"hello", 1}, {"world", 2}}, {{"PREFIX", "unit-test"}}), w.callback());
  auto r = w.get();
  CHECK_FALSE(r.failed);
  CHECK(r.error.empty());
  CHECK(r.decisions == std::vector<message_decision>(2, ack_decision()));
  CHECK(w.thread != std::this_thread::get_id());
}

TEST_CASE("plugin host runs the backoff plugin with per-message decisions") {
  plugin_host host(config_for(examples_dir));
  waiter w;
  host.invoke(
      "backoff",
      batch({{"ok", 1}, {"fail", 1}, {"fail", 3}, {"fail", 11}, {"fail", 12}, {"fail", 40}}),
      w.callback());
  auto r = w.get();
  CHECK_FALSE(r.failed);
  CHECK(r.decisions
        == std::vector<message_decision>{ack_decision(), retry_decision(2), retry_decision(8),
                                         retry_decision(2048), retry_decision(3600),
                                         retry_decision(3600)});
}

TEST_CASE("plugin host completes many concurrent invocations exactly once each") {
  plugin_host host(config_for(examples_dir, 4));
  std::vector<std::unique_ptr<waiter>> waiters;
  for (int i = 0; i < 40; ++i) {
    waiters.push_back(std::make_unique<waiter>());
    host.invoke("backoff", batch({{"ok", 1}, {"fail", 2}}), waiters.back()->callback());
  }
  for (auto& w : waiters) {
    auto r = w->get();
    CHECK_FALSE(r.failed);
    CHECK(r.decisions == std::vector<message_decision>{ack_decision(), retry_decision(4)});
  }
}

TEST_CASE("a plugin that throws fails the invocation and the process survives") {
  plugin_host host(config_for(test_dir));

  waiter thrown;
  host.invoke("throws", batch({{"a", 1}, {"b", 1}, {"c", 1}}), thrown.callback());
  auto r = thrown.get();
  CHECK(r.failed);
  CHECK(r.error == "exception: boom");
  CHECK(r.decisions
        == std::vector<message_decision>{ack_decision(), retry_decision(7), retry_decision()});

  waiter after_ack_all;
  host.invoke("throws", batch({{"a", 1}, {"b", 1}, {"c", 1}}, {{"MODE", "ack_all"}}),
              after_ack_all.callback());
  r = after_ack_all.get();
  CHECK(r.failed);
  CHECK(r.error == "exception: after ack_all");
  CHECK(r.decisions
        == std::vector<message_decision>{retry_decision(3), ack_decision(), ack_decision()});

  waiter after_retry_all;
  host.invoke("throws", batch({{"a", 1}, {"b", 1}}, {{"MODE", "retry_all"}}),
              after_retry_all.callback());
  r = after_retry_all.get();
  CHECK(r.failed);
  CHECK(r.decisions == std::vector<message_decision>{ack_decision(), retry_decision(5)});

  waiter non_std;
  host.invoke("throws", batch({{"a", 1}}, {{"MODE", "non_std"}}), non_std.callback());
  r = non_std.get();
  CHECK(r.failed);
  CHECK(contains(r.error, "exception: unknown exception"));
  CHECK(r.decisions == std::vector<message_decision>{retry_decision()});

  // The pool is still healthy after all that.
  plugin_host examples(config_for(examples_dir));
  waiter ok;
  examples.invoke("log", batch({{"still alive", 1}}), ok.callback());
  CHECK_FALSE(ok.get().failed);
}

TEST_CASE("a plugin running past its limit times out and its late calls are ignored") {
  plugin_host host(config_for(test_dir));
  auto inv = batch({{"a", 1}, {"b", 2}}, {{"SLEEP_MS", "3000"}});
  inv.limit = 100ms;
  waiter w;
  host.invoke("sleepy", std::move(inv), w.callback());
  auto r = w.get();
  CHECK(r.failed);
  CHECK(r.error == "timeout after 100 ms");
  CHECK(r.decisions == std::vector<message_decision>(2, retry_decision()));
  // Destroying the host now must not wait for the sleeping handler (it is detached).
}

TEST_CASE("a timed-out plugin keeps its pool slot until it returns") {
  plugin_host host(config_for(test_dir, 1));
  std::atomic<int> sequence{0};
  auto slow = batch({{"a", 1}}, {{"SLEEP_MS", "1000"}});
  slow.limit = 100ms;
  waiter sleepy;
  sleepy.sequence = &sequence;
  host.invoke("sleepy", std::move(slow), sleepy.callback());
  waiter next;
  next.sequence = &sequence;
  host.invoke("throws", batch({{"a", 1}, {"b", 1}}), next.callback());

  auto r = sleepy.get();
  CHECK(r.error == "timeout after 100 ms");
  auto r2 = next.get();
  CHECK(r2.error == "exception: boom");
  CHECK(sleepy.position == 0);
  CHECK(next.position == 1);
  // The single slot was freed only after the sleeper returned.
  CHECK(host.abandoned() == 0);
}

TEST_CASE("an unknown or invalid plugin name fails with a clear error") {
  plugin_host host(config_for(test_dir));
  waiter unknown;
  host.invoke("nope", batch({{"a", 1}, {"b", 1}}), unknown.callback());
  auto r = unknown.get();
  CHECK(r.failed);
  CHECK(contains(r.error, "plugin 'nope' not found in " + test_dir));
  CHECK(r.decisions == std::vector<message_decision>(2, retry_decision()));

  waiter invalid;
  host.invoke("../examples/log", batch({{"a", 1}}), invalid.callback());
  r = invalid.get();
  CHECK(r.failed);
  CHECK(contains(r.error, "invalid plugin name '../examples/log'"));
}

TEST_CASE("a plugin of another ABI version or without an entry point is refused") {
  plugin_host host(config_for(test_dir));
  waiter abi2;
  host.invoke("abi2", batch({{"a", 1}}), abi2.callback());
  auto r = abi2.get();
  CHECK(r.failed);
  CHECK(contains(r.error, "plugin 'abi2'"));
  CHECK(contains(r.error, "was built for plugin ABI version 2; this hub speaks version 1"));
  CHECK(r.decisions == std::vector<message_decision>{retry_decision()});

  waiter declines;
  host.invoke("declines", batch({{"a", 1}}), declines.callback());
  r = declines.get();
  CHECK(r.failed);
  CHECK(contains(r.error, "does not support plugin ABI version 1"));

  waiter no_entry;
  host.invoke("no_entry", batch({{"a", 1}}), no_entry.callback());
  r = no_entry.get();
  CHECK(r.failed);
  CHECK(contains(r.error, "does not export sluice_plugin_entry"));
}

TEST_CASE("destroying the plugin host completes queued invocations as stopped") {
  std::vector<std::unique_ptr<waiter>> waiters;
  {
    plugin_host host(config_for(test_dir, 1));
    // A handler that times out but keeps sleeping holds the only slot, so everything
    // invoked after its time-out stays queued.
    auto slow = batch({{"a", 1}}, {{"SLEEP_MS", "5000"}});
    slow.limit = 100ms;
    waiter sleepy;
    host.invoke("sleepy", std::move(slow), sleepy.callback());
    CHECK(sleepy.get().error == "timeout after 100 ms");
    for (int i = 0; i < 3; ++i) {
      waiters.push_back(std::make_unique<waiter>());
      host.invoke("throws", batch({{"a", 1}, {"b", 1}}), waiters.back()->callback());
    }
  } // does not wait for the sleeper: its thread is detached
  for (auto& w : waiters) {
    auto r = w->get();
    CHECK(r.failed);
    CHECK(r.error == "plugin host stopped");
    CHECK(r.decisions == std::vector<message_decision>(2, retry_decision()));
  }
}

TEST_CASE("destroying the plugin host fails a handler still running after the grace") {
  waiter w;
  {
    plugin_host_config c = config_for(test_dir, 1);
    c.shutdown_grace = 100ms;
    plugin_host host(c);
    auto slow = batch({{"a", 1}}, {{"SLEEP_MS", "5000"}});
    slow.limit = 60s;
    host.invoke("sleepy", std::move(slow), w.callback());
  } // the sleeper was still queued or is abandoned after the grace
  auto r = w.get();
  CHECK(r.failed);
  CHECK(r.error.rfind("plugin host stopped", 0) == 0);
  CHECK(r.decisions == std::vector<message_decision>{retry_decision()});
}

TEST_CASE("plugin files are <name>.so or lib<name>.so") {
  namespace fs = std::filesystem;
  test::temp_dir dir;
  fs::copy_file(examples_dir + "/log.so", dir.path() + "/liblogcopy.so");
  fs::copy_file(examples_dir + "/backoff.so", dir.path() + "/backoff.so");
  for (const char* other : {"notes.txt", "bad name.so", ".so"})
    std::ofstream(dir.path() + "/" + other) << "x";
  fs::create_directory(dir.path() + "/sub.so");

  plugin_host host(config_for(dir.path()));
  CHECK(host.available() == std::vector<std::string>{"backoff", "logcopy"});

  waiter via_lib;
  host.invoke("logcopy", batch({{"a", 1}}), via_lib.callback());
  CHECK_FALSE(via_lib.get().failed);
  waiter plain;
  host.invoke("backoff", batch({{"fail", 1}}), plain.callback());
  CHECK(plain.get().decisions == std::vector<message_decision>{retry_decision(2)});
}
