// Long polls over HTTP (docs/api.md, `wait_time_ms`): a pull with nothing
// ready is held until a message is sent or its wait ends; bad values get the
// envelope and a 400 naming the field.
#include <chrono>
#include <memory>
#include <thread>

#include "api.hpp"

using namespace sluice::test;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

namespace {

int64_t ms_since(steady_clock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(steady_clock::now() - t).count();
}

} // namespace

TEST_CASE("long poll: a waiting pull is answered by a send on another connection") {
  server_process srv;
  api a{srv};
  auto q = "/queues/" + a.create_queue("waits");
  std::thread producer{[&] {
    std::this_thread::sleep_for(milliseconds(400));
    api other{srv};
    other.call("POST", q + "/messages", R"({"body":"late","content_type":"text"})");
  }};
  auto started = steady_clock::now();
  auto pulled = a.call("POST", q + "/messages/pull", R"({"batch_size":10,"wait_time_ms":15000})");
  auto took = ms_since(started);
  producer.join();
  REQUIRE(pulled->status == 200);
  auto messages = pulled->result()["messages"].get_array();
  REQUIRE(messages.size() == 1);
  CHECK(messages.at(0)["body"].get_string().value() == "late");
  INFO("answered after " << took << " ms");
  CHECK(took >= 350);
  CHECK(took < 10000); // well before its wait would have ended
}

TEST_CASE("long poll: with nothing sent it answers an empty batch when the wait ends") {
  server_process srv;
  api a{srv};
  auto q = "/queues/" + a.create_queue("quiet");
  auto started = steady_clock::now();
  auto pulled = a.call("POST", q + "/messages/pull", R"({"wait_time_ms":800})");
  auto took = ms_since(started);
  REQUIRE(pulled->status == 200);
  CHECK(pulled->result()["messages"].get_array().size() == 0);
  INFO("answered after " << took << " ms");
  CHECK(took >= 750);
  // A message sent now is there for the next pull: the ended wait took nothing.
  a.call("POST", q + "/messages", R"({"body":"x","content_type":"text"})");
  CHECK(a.call("POST", q + "/messages/pull", "{}")->result()["messages"].get_array().size() == 1);
}

TEST_CASE("long poll: pausing the queue answers a waiting pull with a 409") {
  server_process srv;
  api a{srv};
  auto id = a.create_queue("paused");
  std::thread pauser{[&] {
    std::this_thread::sleep_for(milliseconds(300));
    api other{srv};
    other.call("PATCH", "/queues/" + id, R"({"settings":{"delivery_paused":true}})");
  }};
  auto pulled = a.call("POST", "/queues/" + id + "/messages/pull", R"({"wait_time_ms":15000})");
  pauser.join();
  CHECK(pulled->status == 409);
  CHECK(pulled->error_message().find("paused") != std::string::npos);
}

TEST_CASE("long poll: a bad wait_time_ms gets the envelope, a 400 and its name") {
  server_process srv;
  api a{srv};
  auto q = "/queues/" + a.create_queue("bad-waits");
  for (const char* bad : {R"({"wait_time_ms":-1})", R"({"wait_time_ms":20001})",
                          R"({"wait_time_ms":"soon"})", R"({"wait_time_ms":1.5})"}) {
    INFO(bad);
    auto r = a.call("POST", q + "/messages/pull", bad);
    CHECK(r->status == 400);
    CHECK(r->error_message().find("wait_time_ms") != std::string::npos);
  }
  // 0 is the short poll it always was.
  auto started = steady_clock::now();
  CHECK(a.call("POST", q + "/messages/pull", R"({"wait_time_ms":0})")->status == 200);
  CHECK(ms_since(started) < 5000);
}

TEST_CASE("long poll: a SIGTERM answers waiting pulls at once instead of holding the drain") {
  server_process srv;
  api a{srv};
  auto q = "/queues/" + a.create_queue("stopping");
  std::unique_ptr<reply> pulled;
  std::thread waiter{[&] {
    api mine{srv};
    pulled = mine.call("POST", q + "/messages/pull", R"({"wait_time_ms":20000})");
  }};
  std::this_thread::sleep_for(milliseconds(400)); // the pull is waiting
  auto started = steady_clock::now();
  CHECK(srv.terminate() == 0);
  auto took = ms_since(started);
  waiter.join();
  INFO("stopped after " << took << " ms");
  CHECK(took < 5000); // not the 10 s shutdown grace
  REQUIRE(pulled);
  CHECK(pulled->status == 200);
  CHECK(pulled->result()["messages"].get_array().size() == 0);
}
