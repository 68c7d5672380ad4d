#include "api.hpp"
#include "tests/metrics_text.hpp"

using namespace sluice::test;

namespace {

void still_serving(api& a) {
  auto h = a.call("GET", "//healthz");
  CHECK(h->status == 200);
}

} // namespace

TEST_CASE("bad input gets the envelope and the right status, the server keeps serving") {
  server_process srv;
  api a{srv};
  auto id = a.create_queue("target");

  auto malformed = a.call("POST", "/queues", "{not json");
  CHECK(malformed->status == 400);
  CHECK(malformed->error_code() == 10208);
  still_serving(a);

  // A body over --max-request-bytes is refused from its declared length, before
  // it is read.
  auto huge = a.raw().send_raw("POST /client/v4/accounts/acct-a/queues HTTP/1.1\r\n"
                               "Host: x\r\nContent-Type: application/json\r\n"
                               "Content-Length: 1000001\r\n\r\n{\"queue_name\":");
  CHECK(huge.rfind("HTTP/1.1 413", 0) == 0);
  CHECK(huge.find("\"success\":false") != std::string::npos);
  still_serving(a);

  auto route = a.call("GET", "/nothing/here");
  CHECK(route->status == 404);
  auto method = a.call("DELETE", "/queues");
  CHECK(method->status == 405);
  auto account = api(srv, "bad!id").call("GET", "/queues");
  CHECK(account->status == 400);
  CHECK(a.call("GET", "/queues/" + std::string(32, '0'))->status == 404);
  CHECK(a.call("GET", "/queues?page=0")->status == 400);
  still_serving(a);

  auto garbage = a.raw().send_raw("THIS IS NOT HTTP\r\n\r\n");
  CHECK(garbage.rfind("HTTP/1.1 400", 0) == 0);
  CHECK(garbage.find("\"success\":false") != std::string::npos);
  still_serving(a);

  auto v8 = a.call("POST", "/queues/" + id + "/messages", R"({"body":"x","content_type":"v8"})");
  CHECK(v8->status == 400);
  CHECK(v8->error_message().find("v8") != std::string::npos);
  auto big = a.call("POST", "/queues/" + id + "/messages",
                    R"({"content_type":"text","body":")" + std::string(128'001, 'a') + "\"}");
  CHECK(big->status == 413);
  CHECK(big->error_code() == 10204);
  std::string many = R"({"messages":[)";
  for (int i = 0; i < 101; ++i)
    many += std::string{i ? "," : ""} + R"({"body":1})";
  auto too_many = a.call("POST", "/queues/" + id + "/messages/batch", many + "]}");
  CHECK(too_many->status == 400);
  CHECK(too_many->error_code() == 10206);
  std::string heavy = R"({"messages":[)";
  for (int i = 0; i < 3; ++i)
    heavy += std::string{i ? "," : ""} + R"({"content_type":"text","body":")"
             + std::string(100'000, 'b') + "\"}";
  auto too_heavy = a.call("POST", "/queues/" + id + "/messages/batch", heavy + "]}");
  CHECK(too_heavy->status == 413);
  CHECK(too_heavy->error_code() == 10205);
  CHECK(a.call("POST", "/queues/" + id + "/messages", R"({"content_type":"text"})")->status == 400);
  CHECK(a.call("POST", "/queues/" + id + "/messages/pull", R"({"batch_size":101})")->status == 400);
  CHECK(a.call("POST", "/queues/" + id + "/messages/ack", R"({"acks":"x"})")->status == 400);
  // Nothing was stored by any of the refused sends.
  auto m = a.call("GET", "/queues/" + id + "/metrics");
  CHECK(m->result()["backlog_count"].get_int64().value() == 0);
  still_serving(a);
  // Every refusal is counted, under bounded labels (never the client's text).
  auto scrape = a.call("GET", "//metrics")->body;
  auto requests = [&](const char* name, const char* verb, const char* status) {
    return sample(scrape, "sluice_http_requests_total",
                  {{"method", verb}, {"route", name}, {"status", status}});
  };
  CHECK(requests("invalid_http", "other", "4xx") == 2); // too large, not HTTP
  CHECK(requests("unknown", "other", "4xx") == 1);
  CHECK(requests("method_not_allowed", "other", "4xx") == 1);
  CHECK(scrape.find("THIS") == std::string::npos);
}

TEST_CASE("ops endpoints: healthz, readyz, metrics") {
  server_process srv;
  api a{srv};
  CHECK(a.call("GET", "//healthz")->success());
  CHECK(a.call("GET", "//readyz")->success());
  auto m = a.raw().send("GET", "/metrics");
  CHECK(m.status == 200);
  CHECK(m.body.find("sluice_http_requests_total") != std::string::npos);
}

TEST_CASE("scripts and worker consumers: bad input gets the envelope and the right status") {
  server_process srv;
  api a{srv};
  struct bad {
    const char* method;
    std::string path;
    std::string body;
    int status;
    int64_t code;
    std::string says;
  };
  auto qid = a.create_queue("pushed");
  for (const auto& b : std::vector<bad>{
           {"PUT", "/sluice/scripts/s1", "{not json", 400, 10208, ""},
           {"PUT", "/sluice/scripts/s1", "{}", 400, 10026, "plugin is required"},
           {"PUT", "/sluice/scripts/s1", R"({"plugin":"nope"})", 400, 10026,
            "plugin 'nope' is not available"},
           {"PUT", "/sluice/scripts/s1", R"({"plugin":"webhook","env":{"URL":5}})", 400, 10026,
            "env.URL must be a string"},
           {"PUT", "/sluice/scripts/Bad", R"({"plugin":"webhook"})", 400, 10026,
            "script name 'Bad' is invalid"},
           {"GET", "/sluice/scripts/missing", "", 404, 10007, "not deployed"},
           {"DELETE", "/sluice/scripts/missing", "", 404, 10007, "not deployed"},
           {"POST", "/queues/" + qid + "/consumers", R"({"type":"worker"})", 400, 10026,
            "script_name is required"},
           {"POST", "/queues/" + qid + "/consumers", R"({"script_name":"missing"})", 404, 10007,
            "script 'missing' is not deployed"},
           {"POST", "/queues/" + qid + "/consumers",
            R"({"type":"worker","script_name":"x","settings":{"max_concurrency":251}})", 400, 10026,
            "settings.max_concurrency must be between 1 and 250"},
       }) {
    INFO(b.method << " " << b.path << " " << b.body);
    auto r = a.call(b.method, b.path, b.body);
    CHECK(r->status == b.status);
    CHECK_FALSE(r->success());
    CHECK(r->error_code() == b.code);
    CHECK(r->error_message().find(b.says) != std::string::npos);
    still_serving(a);
  }
}

TEST_CASE("paths match exactly, every envelope is valid JSON, names are bounded") {
  server_process srv;
  api a{srv};
  auto id = a.create_queue("exact");

  // Trailing slashes and empty segments match no route.
  CHECK(a.call("GET", "/queues/" + id)->status == 200);
  auto trailing = a.call("GET", "/queues/" + id + "/");
  CHECK(trailing->status == 404);
  CHECK(trailing->error_code() == 7003);
  CHECK(a.call("GET", "/queues//" + id)->status == 404);
  CHECK(a.call("POST", "/queues//messages", R"({"body":1})")->status == 404);

  // A byte that is not UTF-8, echoed in the message, still makes valid JSON
  // (api::call REQUIREs that every JSON body parses).
  auto bad_bytes = a.call("GET", "/queues/ab\xff\xfe");
  CHECK(bad_bytes->status == 404);
  CHECK(bad_bytes->error_message().find("\xef\xbf\xbd") != std::string::npos);

  auto long_name =
      a.call("POST", "/sluice/tokens",
             R"({"name":")" + std::string(256, 'n') + R"(","permissions":["queues_read"]})");
  CHECK(long_name->status == 400);
  CHECK(long_name->error_message().find("at most 255 bytes") != std::string::npos);
  CHECK(a.call("POST", "/sluice/tokens",
               R"({"name":")" + std::string(255, 'n') + R"(","permissions":["queues_read"]})")
            ->status
        == 200);
  auto long_field = a.call("POST", "/event_subscriptions/subscriptions",
                           R"({"name":"s","source":{"type":"workflows.workflow","workflow_name":")"
                               + std::string(256, 'w')
                               + R"("},"events":["instance.queued"],)"
                                 R"("destination":{"type":"queues.queue","queue_id":")"
                               + id + "\"}}");
  CHECK(long_field->status == 400);
  CHECK(long_field->error_message().find("source.workflow_name must be at most 255 bytes")
        != std::string::npos);
  still_serving(a);
}
