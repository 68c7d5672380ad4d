#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>

#include "actors/plugins/builtin/builtin_plugins.hpp"
#include "actors/plugins/host/plugin_host.hpp"
#include "http/deadline_post.hpp"
#include "http/outbound_policy.hpp"
#include "tests/http_receiver.hpp"
#include "tests/temp_dir.hpp"

// Where the built-in plugins may send (docs/plugins.md, "Where a webhook may post" and
// file-sink's sink root): the policy's rules, the deploy-time checks, and the checks
// when a batch runs.

using namespace sluice;
using http::outbound_policy;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// Installs `policy` for one test and removes it afterwards.
struct installed_policy {
  explicit installed_policy(std::shared_ptr<outbound_policy> p) {
    outbound_policy::install(std::move(p));
  }
  ~installed_policy() { outbound_policy::install(nullptr); }
  installed_policy(const installed_policy&) = delete;
  installed_policy& operator=(const installed_policy&) = delete;
};

} // namespace

TEST_CASE("outbound policy: link-local and metadata destinations are refused unless allowed") {
  outbound_policy none{{}, "/srv/sinks"};
  CHECK(contains(none.check_host("169.254.169.254", true), "link-local"));
  CHECK(contains(none.check_host("::ffff:169.254.169.254", true), "link-local"));
  CHECK(contains(none.check_host("fe80::1", true), "link-local"));
  CHECK(contains(none.check_host("fd00:ec2::254", true), "metadata"));
  CHECK(contains(none.check_host("100.100.100.200", true), "metadata"));
  CHECK(contains(none.check_host("Metadata.Google.Internal.", true), "metadata"));
  CHECK(contains(none.check_host("0.0.0.0", true), "unspecified"));
  // An operator's token may name anything else.
  CHECK(none.check_host("127.0.0.1", true).empty());
  CHECK(none.check_host("10.1.2.3", true).empty());
  CHECK(none.check_host("hooks.example.com", true).empty());
  // A token for one account may name nothing without an allow list.
  CHECK(contains(none.check_host("127.0.0.1", false), "--webhook-allow"));
  CHECK(contains(none.check_host("hooks.example.com", false), "--webhook-allow"));

  outbound_policy allow{
      {"10.0.0.0/8", "169.254.169.254", "*.example.com", "hooks.test", "fd00::/8"}, "/srv/sinks"};
  CHECK(allow.check_host("169.254.169.254", false).empty());
  CHECK(contains(allow.check_host("169.254.1.1", true), "link-local")); // only that one
  CHECK(allow.check_host("10.200.0.1", false).empty());
  CHECK(allow.check_host("::ffff:10.0.0.1", false).empty());
  CHECK(allow.check_host("fd12::1", false).empty());
  CHECK(allow.check_host("a.b.example.com", false).empty());
  CHECK(allow.check_host("HOOKS.test", false).empty());
  CHECK_FALSE(allow.check_host("example.com", false).empty()); // *. is for subdomains
  CHECK_FALSE(allow.check_host("evilexample.com", false).empty());
  CHECK_FALSE(allow.check_host("11.0.0.1", false).empty());

  CHECK_THROWS_WITH(outbound_policy({"10.0.0.0/33"}, "/x"), Catch::Contains("not a network"));
  CHECK_THROWS_WITH(outbound_policy({"exa mple"}, "/x"),
                    Catch::Contains("not a network, an address or a host name"));
}

TEST_CASE("outbound policy: file-sink directories stay under the sink root") {
  outbound_policy p{{}, "/srv/sinks/"};
  CHECK(p.sink_directory("orders") == "/srv/sinks/orders");
  CHECK(p.sink_directory("a/b/") == "/srv/sinks/a/b/");
  CHECK(p.sink_directory("/srv/sinks/x") == "/srv/sinks/x");
  CHECK_THROWS_WITH(p.sink_directory("../etc"), Catch::Contains("must not contain '..'"));
  CHECK_THROWS_WITH(p.sink_directory("a/../../etc"), Catch::Contains("must not contain '..'"));
  CHECK_THROWS_WITH(p.sink_directory("/etc"), Catch::Contains("outside the sink root"));
  CHECK(p.sink_directory("/srv/sinks") == "/srv/sinks"); // the root itself is inside
  CHECK_THROWS_WITH(p.sink_directory("/srv/sinksfoo"), Catch::Contains("outside the sink root"));
}

TEST_CASE("deploy checks: webhook URLs and file-sink directories, by the deployer's scope") {
  test::temp_dir root;
  installed_policy guard{
      std::make_shared<outbound_policy>(std::vector<std::string>{"10.0.0.0/8"}, root.path())};
  plugin_host_config c;
  c.builtins = builtin_plugins();
  c.deploy_checks = builtin_deploy_checks();
  plugin_host host{c};
  using env = std::vector<std::pair<std::string, std::string>>;
  CHECK(contains(host.check_deploy("webhook", {}, true), "env.URL is required"));
  CHECK(
      contains(host.check_deploy("webhook", env{{"URL", "file:///etc/passwd"}}, true), "env.URL"));
  CHECK(contains(host.check_deploy("webhook", env{{"URL", "gopher://x:70/"}}, true), "env.URL"));
  CHECK(contains(host.check_deploy("webhook", env{{"URL", "http://169.254.169.254/latest"}}, true),
                 "link-local"));
  CHECK(host.check_deploy("webhook", env{{"URL", "http://127.0.0.1:6379/"}}, true).empty());
  CHECK(contains(host.check_deploy("webhook", env{{"URL", "http://127.0.0.1:6379/"}}, false),
                 "--webhook-allow"));
  CHECK(host.check_deploy("webhook", env{{"URL", "http://10.0.0.7:8080/hook"}}, false).empty());

  CHECK(contains(host.check_deploy("file-sink", {}, true), "env.DIR is required"));
  CHECK(contains(host.check_deploy("file-sink", env{{"DIR", "/etc"}}, true), "outside the sink"));
  CHECK(contains(host.check_deploy("file-sink", env{{"DIR", "../x"}}, true), "'..'"));
  CHECK(host.check_deploy("file-sink", env{{"DIR", "orders"}}, false).empty());
  CHECK(host.check_deploy("log", env{{"ANY", "thing"}}, false).empty()); // no check
}

TEST_CASE("deploy checks: built-in plugins' numbers and unknown variables") {
  test::temp_dir root;
  installed_policy guard{
      std::make_shared<outbound_policy>(std::vector<std::string>{}, root.path())};
  plugin_host_config c;
  c.builtins = builtin_plugins();
  c.deploy_checks = builtin_deploy_checks();
  plugin_host host{c};
  using env = std::vector<std::pair<std::string, std::string>>;
  const std::string url = "http://127.0.0.1:9/hook";
  CHECK(host.check_deploy("webhook", env{{"URL", url}, {"TIMEOUT_MS", "5000"}}, true).empty());
  CHECK(host.check_deploy("webhook", env{{"URL", url}, {"TIMEOUT_MS", "soon"}}, true)
        == "env.TIMEOUT_MS must be a whole number from 1 to 86400000, got 'soon'");
  CHECK(contains(host.check_deploy("webhook", env{{"URL", url}, {"TIMEOUT_MS", "0"}}, true),
                 "env.TIMEOUT_MS must be a whole number"));
  CHECK(contains(host.check_deploy("webhook", env{{"URL", url}, {"TIMEOUT_MS", "86400001"}}, true),
                 "env.TIMEOUT_MS must be a whole number"));
  CHECK(host.check_deploy("webhook", env{{"URL", url}, {"TIMEOUT", "5000"}}, true)
        == "env.TIMEOUT is not a variable of the built-in webhook plugin (it reads URL, "
           "TIMEOUT_MS)");

  CHECK(host.check_deploy("file-sink",
                          env{{"DIR", "d"}, {"MAX_BYTES", "1000"}, {"MAX_SECONDS", "60"}}, true)
            .empty());
  CHECK(contains(host.check_deploy("file-sink", env{{"DIR", "d"}, {"MAX_BYTES", "-1"}}, true),
                 "env.MAX_BYTES must be a whole number from 1 to 1099511627776, got '-1'"));
  CHECK(contains(host.check_deploy("file-sink", env{{"DIR", "d"}, {"MAX_SECONDS", "1h"}}, true),
                 "env.MAX_SECONDS must be a whole number"));
  CHECK(contains(host.check_deploy("file-sink", env{{"DIR", "d"}, {"PATH", "x"}}, true),
                 "env.PATH is not a variable of the built-in file-sink plugin (it reads DIR, "
                 "MAX_BYTES, MAX_SECONDS)"));
}

TEST_CASE("at connect time every resolved address is checked") {
  test::http_receiver receiver;
  auto url = http::parse_http_url(receiver.url());
  auto refuse_all = [](const boost::asio::ip::address& a) {
    return a.to_string() + " is refused by this test";
  };
  CHECK_THROWS_WITH(http::http_post(url, "{}", std::chrono::seconds(5), refuse_all),
                    Catch::Contains("connecting: refused by policy: 127.0.0.1 is refused"));
  CHECK(http::http_post(url, "{}", std::chrono::seconds(5),
                        [](const boost::asio::ip::address&) { return std::string{}; })
            .status
        == 200);
  CHECK(receiver.requests().size() == 1); // the refused post never connected
}

TEST_CASE("file-sink: a symbolic link under the sink root cannot lead out of it") {
  test::temp_dir root;
  test::temp_dir outside;
  fs::create_directory_symlink(outside.path(), root.path() + "/escape");
  installed_policy guard{
      std::make_shared<outbound_policy>(std::vector<std::string>{}, root.path())};
  plugin_host_config c;
  c.builtins = builtin_plugins();
  plugin_host host{c};
  auto run = [&](const std::string& dir) {
    invocation inv;
    inv.queue_name = "q";
    plugin_message m;
    m.id = "m1";
    m.content_type = "text";
    m.body = "hello";
    inv.messages.push_back(m);
    inv.env = {{"DIR", dir}};
    auto promise = std::make_shared<std::promise<invocation_result>>();
    auto future = promise->get_future();
    host.invoke("file-sink", std::move(inv),
                [promise](invocation_result r) { promise->set_value(std::move(r)); });
    REQUIRE(future.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
    return future.get();
  };
  auto escaped = run("escape");
  CHECK(escaped.failed);
  CHECK(contains(escaped.error, "leads outside the sink root"));
  CHECK(fs::is_empty(outside.path()));
  auto fine = run("orders");
  CHECK_FALSE(fine.failed);
  CHECK(fs::is_directory(root.path() + "/orders"));
}
