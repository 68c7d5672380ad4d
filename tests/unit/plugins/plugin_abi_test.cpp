#include <catch2/catch.hpp>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <sluice/plugin.hpp>

// The C++ layer of sluice/plugin.hpp against a fake host table: what a plugin's calls
// turn into at the C boundary, without dlopen.

namespace {

/// What the fake host records. Not `sluice_host_batch` itself: the hub's
/// plugin host defines that type, and two definitions in one program would
/// break the one-definition rule (ASan caught it).
struct fake_host {
  std::vector<std::string> calls;
  std::map<std::string, std::string> env;
  std::string error;
};

fake_host* fake(sluice_host_batch* h) {
  return reinterpret_cast<fake_host*>(h);
}

void fake_ack(sluice_host_batch* hb, size_t i) {
  auto* h = fake(hb);
  h->calls.push_back("ack " + std::to_string(i));
}
void fake_retry(sluice_host_batch* hb, size_t i, int64_t d) {
  auto* h = fake(hb);
  h->calls.push_back("retry " + std::to_string(i) + " " + std::to_string(d));
}
void fake_ack_all(sluice_host_batch* hb) {
  auto* h = fake(hb);
  h->calls.push_back("ack_all");
}
void fake_retry_all(sluice_host_batch* hb, int64_t d) {
  auto* h = fake(hb);
  h->calls.push_back("retry_all " + std::to_string(d));
}
int fake_env_get(sluice_host_batch* hb, const char* n, size_t len, const char** v, size_t* vlen) {
  auto* h = fake(hb);
  auto it = h->env.find(std::string(n, len));
  if (it == h->env.end())
    return 0;
  *v = it->second.c_str();
  *vlen = it->second.size();
  return 1;
}
size_t fake_env_count(sluice_host_batch* hb) {
  auto* h = fake(hb);
  return h->env.size();
}
int fake_env_at(sluice_host_batch* hb, size_t i, const char** n, size_t* nlen, const char** v,
                size_t* vlen) {
  auto* h = fake(hb);
  if (i >= h->env.size())
    return 0;
  auto it = std::next(h->env.begin(), static_cast<long>(i));
  *n = it->first.c_str();
  *nlen = it->first.size();
  *v = it->second.c_str();
  *vlen = it->second.size();
  return 1;
}
void fake_fail(sluice_host_batch* hb, const char* what, size_t len) {
  auto* h = fake(hb);
  h->error.assign(what, len);
}

const sluice_host_api_v1 fake_api = {fake_ack,     fake_retry,     fake_ack_all, fake_retry_all,
                                     fake_env_get, fake_env_count, fake_env_at,  fake_fail};

struct fixture {
  fixture() {
    host.env = {{"URL", "http://127.0.0.1:9000/hook"}, {"MODE", "x"}};
    const char body1[] = "{\"a\":1}";
    bodies = {std::string(body1), std::string("nul\0inside", 10)};
    messages.push_back(
        {"id-0", 4, 1700000000123, bodies[0].c_str(), bodies[0].size(), "json", 4, 1});
    messages.push_back(
        {"id-1", 4, 1700000000456, bodies[1].c_str(), bodies[1].size(), "bytes", 5, 3});
    batch = {
        "orders", 6, messages.data(), messages.size(), reinterpret_cast<sluice_host_batch*>(&host),
        &fake_api};
  }
  fake_host host;
  std::vector<std::string> bodies;
  std::vector<sluice_message_v1> messages;
  sluice_batch_v1 batch{};
};

struct recording_plugin {
  void queue(sluice::MessageBatch& batch, sluice::Env& env) {
    CHECK(batch.queue_name() == "orders");
    REQUIRE(batch.messages().size() == 2);
    const auto& m0 = batch.messages()[0];
    const auto& m1 = batch.messages()[1];
    CHECK(m0.id() == "id-0");
    CHECK(m0.timestamp_ms() == 1700000000123);
    CHECK(m0.body() == "{\"a\":1}");
    CHECK(m0.content_type() == "json");
    CHECK(m0.attempts() == 1);
    CHECK(m1.body().size() == 10);
    CHECK(m1.content_type() == "bytes");
    CHECK(m1.attempts() == 3);
    CHECK(env.get("URL") == std::optional<std::string>("http://127.0.0.1:9000/hook"));
    CHECK_FALSE(env.get("MISSING").has_value());
    CHECK(env.get_or("MISSING", "dflt") == "dflt");
    CHECK(env.all().size() == 2);
    m0.ack();
    m1.retry();
    m1.retry({30});
    batch.ack_all();
    batch.retry_all({});
    batch.retry_all({12});
  }
};

struct throwing_plugin {
  void queue(sluice::MessageBatch&, sluice::Env&) { throw std::runtime_error("kaput"); }
};

void throws_int(sluice::MessageBatch&, sluice::Env&) {
  throw 7;
}

} // namespace

TEST_CASE("plugin ABI: the C++ layer maps every call onto the C table") {
  fixture f;
  const sluice_plugin_v1* table =
      sluice::detail::entry<&sluice::detail::queue_with_class<recording_plugin>>(
          SLUICE_PLUGIN_ABI_VERSION);
  REQUIRE(table != nullptr);
  CHECK(table->abi_version == SLUICE_PLUGIN_ABI_VERSION);
  CHECK(table->queue(&f.batch) == SLUICE_HANDLER_OK);
  CHECK(f.host.calls
        == std::vector<std::string>{"ack 0", "retry 1 -1", "retry 1 30", "ack_all", "retry_all -1",
                                    "retry_all 12"});
  CHECK(f.host.error.empty());
}

TEST_CASE("plugin ABI: the entry point refuses a host of another version") {
  CHECK(sluice::detail::entry<&sluice::detail::queue_with_class<recording_plugin>>(2) == nullptr);
  CHECK(sluice::detail::entry<&sluice::detail::queue_with_class<recording_plugin>>(0) == nullptr);
}

TEST_CASE("plugin ABI: exceptions stop at the boundary and report their text") {
  fixture f;
  auto table = sluice::detail::entry<&sluice::detail::queue_with_class<throwing_plugin>>(1);
  CHECK(table->queue(&f.batch) == SLUICE_HANDLER_FAILED);
  CHECK(f.host.error == "kaput");

  fixture g;
  auto fn_table = sluice::detail::entry<&sluice::detail::queue_with_function<&throws_int>>(1);
  CHECK(fn_table->queue(&g.batch) == SLUICE_HANDLER_FAILED);
  CHECK(g.host.error.find("unknown exception") != std::string::npos);
}
