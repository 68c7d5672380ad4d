#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "events/catalog.hpp"
#include "events/envelope.hpp"

using namespace sluice::events;

namespace {

/// Parses `json` with a parser the caller keeps alive while the element is used.
simdjson::dom::element parse(simdjson::dom::parser& p, const std::string& json) {
  simdjson::dom::element e;
  REQUIRE(p.parse(json).get(e) == simdjson::SUCCESS);
  return e;
}

std::string validate(const std::string& source, const std::string& event, int version,
                     const std::string& payload, int& used) {
  simdjson::dom::parser p;
  return catalog::builtin().validate(source, event, version, parse(p, payload), used);
}

std::string string_at(simdjson::dom::element doc, const char* pointer) {
  std::string_view s;
  REQUIRE(doc.at_pointer(pointer).get(s) == simdjson::SUCCESS);
  return std::string{s};
}

const char* r2_v1 = R"({"name":"photos","jurisdiction":"default","location":"WNAM"})";
const char* r2_v2 =
    R"({"name":"photos","jurisdiction":"default","location":"WNAM","storageClass":"Standard"})";

} // namespace

TEST_CASE("builtin catalog has every source with its events", "[events]") {
  const std::map<std::string, std::set<std::string>> expected{
      {"access", {"application.created", "application.deleted"}},
      {"r2", {"bucket.created", "bucket.deleted"}},
      {"superSlurper",
       {"job.started", "job.paused", "job.resumed", "job.completed", "job.aborted",
        "job.object.migrated"}},
      {"vectorize", {"index.created", "index.deleted"}},
      {"workersAi.model", {"batch.queued", "batch.succeeded", "batch.failed"}},
      {"workersBuilds.worker",
       {"build.started", "build.failed", "build.canceled", "build.succeeded"}},
      {"kv", {"namespace.created", "namespace.deleted"}},
      {"workflows.workflow",
       {"instance.queued", "instance.started", "instance.paused", "instance.errored",
        "instance.terminated", "instance.completed"}},
      {"images", {"image.uploaded", "image.deleted"}},
      {"workers.script", {"script.deployed", "script.deleted"}},
      {"queues", {"queue.created", "queue.deleted", "message.dead_lettered"}},
  };
  const catalog& c = catalog::builtin();
  CHECK(c.sources().size() >= expected.size());
  for (const auto& [source, names] : expected) {
    INFO("source " << source);
    const source_type* s = c.find_source(source);
    REQUIRE(s != nullptr);
    CHECK(s->type == source);
    for (const auto& name : names) {
      INFO("event " << name);
      const event_type* e = c.find_event(source, name);
      REQUIRE(e != nullptr);
      CHECK(e->name == name);
      REQUIRE_FALSE(e->versions.empty());
      CHECK(e->versions.front().version == 1);
      CHECK(std::is_sorted(
          e->versions.begin(), e->versions.end(),
          [](const schema_version& a, const schema_version& b) { return a.version < b.version; }));
    }
  }
  CHECK(c.find_source("nosuch") == nullptr);
  CHECK(c.find_event("r2", "bucket.exploded") == nullptr);
  CHECK(c.find_event("nosuch", "bucket.created") == nullptr);
  // The same object every time.
  CHECK(&catalog::builtin() == &c);
}

TEST_CASE("builtin catalog requires the source filters", "[events]") {
  const catalog& c = catalog::builtin();
  const std::map<std::string, std::vector<std::string>> filtered{
      {"workersAi.model", {"model_name"}},
      {"workersBuilds.worker", {"worker_name"}},
      {"workflows.workflow", {"workflow_name"}},
      {"workers.script", {"script_tag"}},
      {"artifacts.repo", {"namespace", "repo_name"}},
      {"email.sending", {"zone_id", "domain"}},
  };
  for (const auto& s : c.sources()) {
    INFO("source " << s.type);
    auto it = filtered.find(s.type);
    if (it == filtered.end())
      CHECK(s.filters.empty());
    else
      CHECK(s.filters == it->second);
  }
}

TEST_CASE("builtin catalog holds typed field schemas", "[events]") {
  const event_type* e = catalog::builtin().find_event("queues", "message.dead_lettered");
  REQUIRE(e != nullptr);
  const auto& fields = e->versions.back().fields;
  std::map<std::string, std::string> types;
  for (const auto& f : fields) {
    CHECK(f.required);
    types[f.name] = f.type;
  }
  CHECK(types
        == std::map<std::string, std::string>{{"queueName", "string"},
                                              {"queueId", "string"},
                                              {"deadLetterQueueName", "string"},
                                              {"messageId", "string"},
                                              {"attempts", "integer"}});
}

TEST_CASE("validate accepts a good payload and ignores extra fields", "[events]") {
  int used = -1;
  CHECK(validate("r2", "bucket.created", 0, r2_v2, used).empty());
  CHECK(used == 2);
  CHECK(validate("queues", "message.dead_lettered", 1,
                 R"({"queueName":"q","queueId":"1","deadLetterQueueName":"dlq",)"
                 R"("messageId":"m","attempts":3,"extra":[1,2]})",
                 used)
            .empty());
  CHECK(used == 1);
  // JSON has one number type: 3.0 is an integer.
  CHECK(validate("workersAi.model", "batch.failed", 0,
                 R"({"requestId":"r","message":"boom","httpCode":500.0})", used)
            .empty());
  // Optional fields may be missing or null.
  CHECK(validate("workersBuilds.worker", "build.started", 0,
                 R"({"buildUuid":"b","status":"running","buildOutcome":null,)"
                 R"("createdAt":"2025-05-01T02:48:57.132Z","stoppedAt":null,)"
                 R"("buildTriggerMetadata":{"branch":"main"}})",
                 used)
            .empty());
}

TEST_CASE("validate names the missing or mistyped field", "[events]") {
  int used = -1;
  CHECK(validate("r2", "bucket.created", 0, R"({"jurisdiction":"eu","storageClass":"Standard"})",
                 used)
        == "payload.name is required");
  CHECK(used == 2);
  CHECK(validate("r2", "bucket.created", 1, R"({"name":null})", used)
        == "payload.name is required");
  CHECK(validate("r2", "bucket.created", 1, R"({"name":"b","location":5})", used)
        == "payload.location must be a string");
  CHECK(validate("queues", "message.dead_lettered", 0,
                 R"({"queueName":"q","queueId":"1","deadLetterQueueName":"dlq",)"
                 R"("messageId":"m","attempts":2.5})",
                 used)
        == "payload.attempts must be an integer");
  CHECK(validate("queues", "message.dead_lettered", 0,
                 R"({"queueName":"q","queueId":"1","deadLetterQueueName":"dlq",)"
                 R"("messageId":"m","attempts":"3"})",
                 used)
        == "payload.attempts must be an integer");
  CHECK(validate("superSlurper", "job.started", 0,
                 R"({"id":"j","createdAt":"t","overwrite":"yes","source":{},"destination":{}})",
                 used)
        == "payload.overwrite must be a boolean");
  CHECK(validate("superSlurper", "job.started", 0,
                 R"({"id":"j","createdAt":"t","source":[],"destination":{}})", used)
        == "payload.source must be an object");
  CHECK(validate("images", "image.uploaded", 0, R"({"id":"i","variants":"public"})", used)
        == "payload.variants must be an array");
}

TEST_CASE("validate rejects unknown sources, events and versions", "[events]") {
  int used = -1;
  std::string err = validate("r2", "bucket.exploded", 0, r2_v2, used);
  CHECK(err.rfind("r2 has no event 'bucket.exploded'", 0) == 0);
  CHECK(err.find("bucket.created") != std::string::npos);
  CHECK(used == 0);
  err = validate("nosuch", "bucket.created", 0, r2_v2, used);
  CHECK(err.find("'nosuch'") != std::string::npos);
  CHECK(err.find("r2") != std::string::npos);
  CHECK(validate("r2", "bucket.created", 7, r2_v2, used)
        == "bucket.created has no schema version 7 (versions: 1, 2)");
  CHECK(used == 0);
  CHECK(validate("r2", "bucket.created", -1, r2_v2, used)
        == "bucket.created has no schema version -1 (versions: 1, 2)");
}

TEST_CASE("validate rejects a payload that is not an object", "[events]") {
  int used = -1;
  CHECK(validate("r2", "bucket.deleted", 0, R"(["photos"])", used)
        == "payload must be a JSON object");
  CHECK(validate("r2", "bucket.deleted", 0, R"("photos")", used)
        == "payload must be a JSON object");
  CHECK(validate("r2", "bucket.deleted", 0, "null", used) == "payload must be a JSON object");
}

TEST_CASE("version 0 picks the latest and older versions stay valid", "[events]") {
  int used = -1;
  // A version 1 payload lacks version 2's storageClass ...
  CHECK(validate("r2", "bucket.created", 0, r2_v1, used) == "payload.storageClass is required");
  CHECK(used == 2);
  CHECK(validate("r2", "bucket.created", 2, r2_v1, used) == "payload.storageClass is required");
  // ... but is still publishable as version 1.
  CHECK(validate("r2", "bucket.created", 1, r2_v1, used).empty());
  CHECK(used == 1);
  CHECK(validate("r2", "bucket.created", 1, R"({"name":"photos"})", used).empty());
  // Single-version events: 0 and 1 are the same schema.
  CHECK(validate("kv", "namespace.created", 0, R"({"id":"n","name":"x"})", used).empty());
  CHECK(used == 1);
}

TEST_CASE("envelope_json writes every documented key", "[events]") {
  envelope_fields f;
  f.source_type = "workersAi.model";
  f.source_fields = {{camel_case("model_name"), "@cf/baai/bge-base-en-v1.5"}};
  f.event = "batch.failed";
  f.payload_json = R"({"requestId":"r1","message":"say \"hi\"","httpCode":500})";
  f.account_id = "acc";
  f.subscription_id = "sub-1";
  f.event_id = "evt-1";
  f.schema_version = 2;
  f.event_timestamp = "2026-11-23T10:00:00.000Z";
  std::string json = envelope_json(f);

  simdjson::dom::parser p;
  simdjson::dom::element doc = parse(p, json);
  CHECK(string_at(doc, "/type") == "cf.workersAi.model.batch.failed");
  CHECK(string_at(doc, "/source/type") == "workersAi.model");
  CHECK(string_at(doc, "/source/modelName") == "@cf/baai/bge-base-en-v1.5");
  CHECK(string_at(doc, "/payload/requestId") == "r1");
  CHECK(string_at(doc, "/payload/message") == "say \"hi\"");
  CHECK(string_at(doc, "/metadata/accountId") == "acc");
  CHECK(string_at(doc, "/metadata/eventSubscriptionId") == "sub-1");
  int64_t version = 0;
  REQUIRE(doc.at_pointer("/metadata/eventSchemaVersion").get(version) == simdjson::SUCCESS);
  CHECK(version == 2);
  CHECK(string_at(doc, "/metadata/eventTimestamp") == "2026-11-23T10:00:00.000Z");
  CHECK(string_at(doc, "/id") == "evt-1");
}

TEST_CASE("envelope_json escapes quotes, backslashes and control characters", "[events]") {
  envelope_fields f;
  f.source_type = "queues";
  f.source_fields = {{"queue\"Name", "a\\b\"c\n\t\x01"}};
  f.event = "queue.created";
  f.account_id = "acc\"\x1f";
  f.subscription_id = "s";
  f.event_id = "e";
  f.event_timestamp = "t";
  std::string json = envelope_json(f); // empty payload is written as {}
  CHECK(json.find("\\u0001") != std::string::npos);
  CHECK(json.find("\\u001f") != std::string::npos);

  simdjson::dom::parser p;
  simdjson::dom::element doc = parse(p, json);
  simdjson::dom::object source;
  REQUIRE(doc["source"].get(source) == simdjson::SUCCESS);
  std::string_view value;
  REQUIRE(source["queue\"Name"].get(value) == simdjson::SUCCESS);
  CHECK(value == "a\\b\"c\n\t\x01");
  CHECK(string_at(doc, "/metadata/accountId") == "acc\"\x1f");
  simdjson::dom::object payload;
  REQUIRE(doc["payload"].get(payload) == simdjson::SUCCESS);
  CHECK(payload.size() == 0);
}

TEST_CASE("camel_case turns subscription fields into envelope keys", "[events]") {
  CHECK(camel_case("model_name") == "modelName");
  CHECK(camel_case("worker_name") == "workerName");
  CHECK(camel_case("workflow_name") == "workflowName");
  CHECK(camel_case("script_tag") == "scriptTag");
  CHECK(camel_case("dead_letter_queue_name") == "deadLetterQueueName");
  CHECK(camel_case("name") == "name");
  CHECK(camel_case("") == "");
}

TEST_CASE("load accepts a minimal catalog and replaces the content", "[events]") {
  catalog c;
  std::string error = "stale";
  REQUIRE(c.load({R"({"source":"demo","filters":["thing_id"],"events":{"thing.made":{)"
                  R"("versions":{"2":{"fields":{"n":{"type":"number"}}},)"
                  R"("1":{"fields":{"id":{"type":"string","required":true}}}}}}})"},
                 error));
  CHECK(error.empty());
  REQUIRE(c.sources().size() == 1);
  CHECK(c.sources()[0].filters == std::vector<std::string>{"thing_id"});
  const event_type* e = c.find_event("demo", "thing.made");
  REQUIRE(e != nullptr);
  REQUIRE(e->versions.size() == 2);
  CHECK(e->versions[0].version == 1); // sorted although the file lists 2 first
  CHECK(e->versions[1].version == 2);
  REQUIRE(e->versions[0].fields.size() == 1);
  CHECK(e->versions[0].fields[0].name == "id");
  CHECK(e->versions[0].fields[0].type == "string");
  CHECK(e->versions[0].fields[0].required);
  CHECK_FALSE(e->versions[1].fields[0].required);
  // A failed load keeps the previous content.
  CHECK_FALSE(c.load({"{"}, error));
  CHECK(c.find_source("demo") != nullptr);
}

TEST_CASE("load of a malformed file fails with a message naming file and field", "[events]") {
  catalog c;
  std::string error;
  const std::string good = R"({"source":"a","events":{"x.y":{"versions":{"1":{"fields":{}}}}}})";

  CHECK_FALSE(c.load({good, "{not json"}, error));
  CHECK(error.find("catalog file 2") != std::string::npos);
  CHECK(error.find("not valid JSON") != std::string::npos);

  CHECK_FALSE(c.load({R"({"source":"r2","events":{"bucket.created":{"versions":{"1":{"fields":)"
                      R"({"name":{"type":"strin"}}}}}}})"},
                     error));
  CHECK(error.find("catalog file 1 (source 'r2')") != std::string::npos);
  CHECK(error.find("events.bucket.created.versions.1.fields.name.type") != std::string::npos);

  CHECK_FALSE(
      c.load({R"({"source":"r2","events":{"e":{"versions":{"one":{"fields":{}}}}}})"}, error));
  CHECK(error.find("events.e.versions.one") != std::string::npos);

  CHECK_FALSE(c.load({R"({"source":"r2","evnts":{}})"}, error));
  CHECK(error.find("evnts is not a known key") != std::string::npos);

  CHECK_FALSE(c.load({R"({"events":{}})"}, error));
  CHECK(error.find("source is required") != std::string::npos);

  CHECK_FALSE(c.load({R"({"source":"r2","filters":["Model"],"events":{}})"}, error));
  CHECK(error.find("filters") != std::string::npos);

  CHECK_FALSE(c.load({R"({"source":"r2","events":{"e":{"versions":{"1":{"fields":)"
                      R"({"n":{"type":"string","required":"yes"}}}}}}})"},
                     error));
  CHECK(error.find("fields.n.required must be true or false") != std::string::npos);

  CHECK_FALSE(c.load({good, good}, error));
  CHECK(error.find("source 'a' is already defined") != std::string::npos);

  CHECK(c.sources().empty());
}
