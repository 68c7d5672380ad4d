// A CLI that helps (issue 17, item 5; docs/cli.md): suggestions for mistyped
// commands, shell completion, readable times, bodies and consumer settings,
// plurals, what an empty pull means, and errors with status and code.
#include <cstdio>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <simdjson.h>

#include "cli_runner.hpp"
#include "server_process.hpp"
#include "tests/temp_dir.hpp"

using namespace sluice::test;

namespace {

/// What bash's completion offers for `words` (the last one is being typed)
/// with the script `sluice completion bash` printed, one candidate a line.
std::string completions(const std::string& script, const std::vector<std::string>& words) {
  temp_dir dir;
  std::ofstream{dir.path() + "/complete.bash"} << script;
  std::string array;
  for (const auto& w : words)
    array += " " + shell_quoted(w);
  std::string body = "source " + shell_quoted(dir.path() + "/complete.bash") + "; COMP_WORDS=("
                     + array + "); COMP_CWORD=" + std::to_string(words.size() - 1)
                     + "; _sluice; printf '%s\\n' \"${COMPREPLY[@]}\"";
  std::string cmd = "bash --norc --noprofile -c " + shell_quoted(body) + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0)
    out.append(buf, n);
  pclose(p);
  return out;
}

/// One time as the CLI prints every time: UTC to the second, then how long ago.
const std::regex human_time{R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \((just now|\d+[smhd] ago)\))"};

bool has_time(const std::string& text) {
  return std::regex_search(text, human_time);
}

} // namespace

TEST_CASE("cli help: an unknown command suggests the closest one, exit status 2") {
  auto r = run_cli("", {"queues", "lst"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "error: unknown command 'lst' for 'sluice queues' \u2014 did you mean 'list'?\n");
  r = run_cli("", {"queus", "list"});
  CHECK(r.exit_code == 2);
  CHECK(has(r.err, "unknown command 'queus' for 'sluice' \u2014 did you mean 'queues'?"));
  r = run_cli("", {"queues", "--json", "consumer", "htp", "add", "q"});
  CHECK(r.exit_code == 2);
  CHECK(
      has(r.err, "unknown command 'htp' for 'sluice queues consumer' \u2014 did you mean 'http'?"));
  r = run_cli("", {"tokens", "revok", "x"});
  CHECK(has(r.err, "did you mean 'revoke'?"));
  // Nothing close: no guess, but where to look.
  r = run_cli("", {"queues", "xyzzy"});
  CHECK(r.exit_code == 2);
  CHECK(has(r.err, "unknown command 'xyzzy' for 'sluice queues'"));
  CHECK_FALSE(has(r.err, "did you mean"));
  CHECK(has(r.err, "sluice queues --help"));
  // Unknown flags are named the same way, wherever they stand.
  r = run_cli("", {"queues", "list", "--bogus"});
  CHECK(r.exit_code == 2);
  CHECK(has(r.err, "unknown flag '--bogus' for 'sluice queues list'; run 'sluice queues list "
                   "--help' for its flags"));
  r = run_cli("", {"queues", "--bogus", "lst"});
  CHECK(has(r.err, "unknown flag '--bogus' for 'sluice queues'"));
  r = run_cli("", {"queues", "list", "--jsn"});
  CHECK(has(r.err, "did you mean '--json'?"));
}

TEST_CASE("cli help: completion bash|zsh is generated from the command tree") {
  auto bash = run_cli("", {"completion", "bash"});
  REQUIRE(bash.exit_code == 0);
  CHECK(has(bash.out, "complete -o default -F _sluice sluice"));
  CHECK(completions(bash.out, {"sluice", "queues", "l"}) == "list\n");
  CHECK(completions(bash.out, {"sluice", "pe"}) == "peek\n");
  CHECK(completions(bash.out, {"sluice", "queues", "consumer", "h"}) == "http\n");
  CHECK(completions(bash.out, {"sluice", "queues", "consumer", "http", "a"}) == "add\n");
  // Flags of the level, and those inherited from above (--json of the client commands).
  CHECK(has(completions(bash.out, {"sluice", "pull", "orders", "--b"}), "--batch-size\n"));
  CHECK(completions(bash.out, {"sluice", "queues", "list", "--js"}) == "--json\n");
  // A flag's value is skipped when walking, and its choices are offered.
  CHECK(completions(bash.out, {"sluice", "send", "--content-type", ""}) == "json\ntext\nbytes\n");
  CHECK(completions(bash.out, {"sluice", "send", "--content-type", "text", "q", "--d"})
        == "--delay-secs\n--dedup-id\n");
  CHECK(completions(bash.out, {"sluice", "completion", ""}) == "bash\nzsh\n");
  auto zsh = run_cli("", {"completion", "zsh"});
  REQUIRE(zsh.exit_code == 0);
  CHECK(has(zsh.out, "#compdef sluice\n"));
  CHECK(has(zsh.out, "bashcompinit"));
  CHECK(has(zsh.out, "complete -o default -F _sluice sluice"));
  CHECK(run_cli("", {"completion", "fish"}).exit_code == 2);
}

TEST_CASE("cli help: times are readable everywhere, --json keeps the API's") {
  server_process srv;
  cli sluice{srv};
  sluice.ok({"queues", "create", "clock"});
  CHECK(has_time(sluice.ok({"queues", "list"})));
  auto info = sluice.ok({"queues", "info", "clock"});
  CHECK(std::regex_search(info, std::regex{"Created On: " + std::string{R"(\d{4}-\d\d-\d\d )"}}));
  CHECK(has_time(info));
  sluice.ok({"send", "clock", "tick", "--content-type", "text"});
  CHECK(has_time(sluice.ok({"peek", "clock"})));
  CHECK(has_time(sluice.ok({"tokens", "list"})));
  CHECK(has_time(sluice.ok({"audit", "list"})));
  sluice.ok({"scripts", "deploy", "sink", "--plugin", "file-sink", "--var", "DIR=clock"});
  CHECK(has_time(sluice.ok({"scripts", "list"})));
  auto raw = sluice.ok({"queues", "list", "--json"});
  CHECK(std::regex_search(raw, std::regex{R"("created_on":"\d{4}-\d\d-\d\dT[^"]*Z")"}));
  CHECK(has(sluice.ok({"peek", "clock", "--json"}), "\"timestamp_ms\":"));
}

TEST_CASE("cli help: pull and peek print decoded bodies, peek leases nothing") {
  server_process srv;
  cli sluice{srv};
  sluice.ok({"queues", "create", "bodies"});
  sluice.ok({"send", "bodies", R"({"order": 42, "items": ["a"]})"});
  sluice.ok({"send", "bodies", "plain words", "--content-type", "text"});
  sluice.ok({"send", "bodies", "-", "--content-type", "bytes"}, "h\xc3\xa9llo\n\xff\xfe\n");
  auto peeked = sluice.ok({"peek", "bodies", "--batch-size", "10"});
  CHECK(has(peeked, R"({"order":42,"items":["a"]})"));
  CHECK(has(peeked, "plain words"));
  CHECK(has(peeked, "h\xc3\xa9llo"));
  CHECK(has(peeked, "base64://4="));
  CHECK_FALSE(has(peeked, "lease_id"));
  CHECK(has(sluice.ok({"queues", "info", "bodies"}), "(4 ready, 0 delayed, 0 in flight)"));
  auto pulled = sluice.ok({"pull", "bodies", "--batch-size", "10"});
  CHECK(has(pulled, "lease_id"));
  CHECK(has(pulled, R"({"order":42,"items":["a"]})"));
  CHECK(has(pulled, "plain words"));
  CHECK(has(pulled, "h\xc3\xa9llo"));
  CHECK(has(pulled, "base64://4="));
  // Leased messages are still there to peek at.
  CHECK(has(sluice.ok({"peek", "bodies", "--batch-size", "10"}), "plain words"));
  auto json = sluice.ok({"peek", "bodies", "--json"});
  CHECK(has(json, "\"ref\":"));
}

TEST_CASE("cli help: an empty pull says what the queue holds, counts are plural-aware") {
  server_process srv;
  cli sluice{srv};
  sluice.ok({"queues", "create", "later"});
  CHECK(sluice.ok({"peek", "later"}) == "no messages (0 ready, 0 delayed, 0 in flight)\n");
  CHECK(has(sluice.ok({"send", "later", "1", "--delay-secs", "600"}), "Sent 1 message to"));
  CHECK(sluice.ok({"pull", "later"}) == "no messages ready (0 ready, 1 delayed, 0 in flight)\n");
  CHECK(has(sluice.ok({"send", "later", "-"}, "2\n3\n"), "Sent 2 messages to"));
  sluice.ok({"pull", "later", "--batch-size", "1"});
  auto info = sluice.ok({"queues", "info", "later"});
  CHECK(has(info, "Backlog: 3 messages, 3 bytes (1 ready, 1 delayed, 1 in flight)"));
  CHECK(has(sluice.ok({"pull", "later", "--ack"}), "Acked 1 message."));
  CHECK(sluice.ok({"pull", "later"}) == "no messages ready (0 ready, 1 delayed, 1 in flight)\n");
  CHECK(sluice.ok({"pull", "later", "--json"}).find("\"messages\":[]") != std::string::npos);
}

TEST_CASE("cli help: server errors carry the HTTP status and the error code") {
  server_process srv;
  cli sluice{srv};
  auto missing = sluice({"queues", "info", "0123456789abcdef0123456789abcdef"});
  CHECK(missing.exit_code == 1);
  CHECK(std::regex_search(missing.err, std::regex{R"(^error: .+ \[HTTP 404, code \d+\]\n$)"}));
  cli stranger{srv};
  stranger.token = "not-a-token";
  auto denied = stranger({"queues", "list"});
  CHECK(denied.exit_code == 1);
  CHECK(std::regex_search(denied.err, std::regex{R"(^error: .+ \[HTTP 401, code \d+\]\n$)"}));
  sluice.ok({"queues", "create", "strict"});
  auto too_big = sluice({"pull", "strict", "--batch-size", "1000"});
  CHECK(too_big.exit_code == 1);
  CHECK(std::regex_search(too_big.err, std::regex{R"(\[HTTP 400, code \d+\]\n$)"}));
  // Found by the CLI itself, before or without a server's answer: no status.
  auto no_queue = sluice({"queues", "info", "nope"});
  CHECK(no_queue.exit_code == 1);
  CHECK(no_queue.err == "error: queue 'nope' does not exist in account cli-acct\n");
}

TEST_CASE("cli help: an IPv6 server URL takes its host in brackets") {
  // Nothing listens on port 1: the URL is understood, the connection refused.
  auto r = run_cli("SLUICE_ACCOUNT=a", {"queues", "list", "--url", "http://[::1]:1"});
  CHECK(r.exit_code == 1);
  CHECK_FALSE(has(r.err, "must look like"));
  CHECK(has(r.err, "::1"));
  r = run_cli("SLUICE_ACCOUNT=a", {"queues", "list", "--url", "http://[::1:8787"});
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "an IPv6 host in brackets: http://[::1]:8787"));
}
