#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "api.hpp"

using namespace sluice::test;

namespace {

/// Pulls and acks until the queue is empty; returns the text bodies seen.
std::multiset<std::string> drain(api& a, const std::string& q) {
  std::multiset<std::string> bodies;
  for (;;) {
    auto r = a.call("POST", q + "/messages/pull", R"({"batch_size":100})");
    REQUIRE(r->status == 200);
    auto msgs = r->result()["messages"].get_array();
    if (msgs.size() == 0)
      return bodies;
    std::string acks = R"({"acks":[)";
    bool first = true;
    for (auto m : msgs) {
      bodies.emplace(m["body"].get_string().value());
      acks += std::string{first ? "" : ","} + R"({"lease_id":")"
              + std::string{m["lease_id"].get_string().value()} + "\"}";
      first = false;
    }
    REQUIRE(a.call("POST", q + "/messages/ack", acks + "]}")->status == 200);
  }
}

} // namespace

TEST_CASE("queues survive kill -9 and SIGTERM restarts unchanged") {
  server_process srv;
  std::vector<std::string> before;
  {
    api a{srv};
    for (int i = 0; i < 20; ++i)
      a.create_queue("q-" + std::to_string(i), R"({"delivery_delay":)" + std::to_string(i) + "}");
    before.push_back(a.call("GET", "/queues")->body);
  }
  srv.kill9();
  srv.restart();
  CHECK(api(srv).call("GET", "/queues")->body == before[0]);
  CHECK(srv.terminate() == 0);
  srv.restart();
  CHECK(api(srv).call("GET", "/queues")->body == before[0]);
}

TEST_CASE("every acknowledged send survives kill -9 mid-stream, acked messages stay gone") {
  server_process srv;
  std::string q;
  {
    api a{srv};
    q = "/queues/" + a.create_queue("durable");
    // Acked before the crash: must not come back.
    a.call("POST", q + "/messages", R"({"body":"acked-before","content_type":"text"})");
    auto r = a.call("POST", q + "/messages/pull", "{}");
    auto lease = std::string{r->result()["messages"].at(0)["lease_id"].get_string().value()};
    REQUIRE(a.call("POST", q + "/messages/ack", R"({"acks":[{"lease_id":")" + lease + "\"}]}")
                ->result()["ackCount"]
                .get_int64()
                .value()
            == 1);
    // Leased at the crash: must come back after its visibility timeout.
    a.call("POST", q + "/messages", R"({"body":"leased-at-crash","content_type":"text"})");
    REQUIRE(a.call("POST", q + "/messages/pull", R"({"visibility_timeout_ms":1000})")
                ->result()["messages"]
                .get_array()
                .size()
            == 1);
  }
  std::mutex mtx;
  std::set<std::string> confirmed;
  std::atomic<int> attempted{0};
  std::vector<std::thread> producers;
  for (int t = 0; t < 8; ++t)
    producers.emplace_back([&, t] {
      api mine{srv};
      for (int i = 0; i < 200; ++i) {
        auto body = "m-" + std::to_string(t) + "-" + std::to_string(i);
        ++attempted;
        try {
          auto r = mine.call("POST", q + "/messages",
                             R"({"content_type":"text","body":")" + body + "\"}");
          if (r->status == 200) {
            std::lock_guard<std::mutex> guard{mtx};
            confirmed.insert(body);
          }
        } catch (const std::exception&) {
          return; // the server is gone
        }
      }
    });
  while (attempted < 400)
    std::this_thread::yield();
  srv.kill9();
  for (auto& p : producers)
    p.join();
  INFO("confirmed sends before the crash: " << confirmed.size());
  REQUIRE(confirmed.size() > 0);

  srv.restart();
  api a{srv};
  auto bodies = drain(a, q);
  for (const auto& b : confirmed)
    CHECK(bodies.count(b) >= 1);
  CHECK(bodies.count("acked-before") == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto late = drain(a, q);
  // Back once its lease deadline passed (before or after the restart).
  CHECK(bodies.count("leased-at-crash") + late.count("leased-at-crash") == 1);
}
