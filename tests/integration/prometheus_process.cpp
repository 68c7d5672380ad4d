#include "prometheus_process.hpp"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/client.hpp"
#include "wait.hpp"

namespace sluice::test {

namespace {

/// A loopback port that was free a moment ago (bound to port 0, then released).
uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0
            && getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  close(fd);
  if (!ok)
    throw std::runtime_error("cannot bind a loopback port");
  return ntohs(addr.sin_port);
}

/// The status of `GET target` on 127.0.0.1:`port`, or 0 if nothing answers.
int status_of(uint16_t port, const std::string& target) {
  try {
    http::client c{"127.0.0.1", port, std::chrono::seconds(2)};
    return c.send("GET", target).status;
  } catch (const std::exception&) {
    return 0;
  }
}

} // namespace

prometheus_process::prometheus_process(uint16_t target_port) {
  std::ofstream{dir_.path() + "/prometheus.yml"} << "global:\n"
                                                    "  scrape_interval: 1s\n"
                                                    "  scrape_timeout: 1s\n"
                                                    "scrape_configs:\n"
                                                    "  - job_name: sluice\n"
                                                    "    metrics_path: /metrics\n"
                                                    "    static_configs:\n"
                                                    "      - targets: ['127.0.0.1:"
                                                 << target_port << "']\n";
  // Another process may take the free port before Prometheus binds it: try again then.
  for (int attempt = 0; attempt < 3; ++attempt)
    if (start())
      return;
  throw std::runtime_error("prometheus found no free port; its log:\n" + log());
}

bool prometheus_process::start() {
  port_ = free_port();
  child_options opts;
  opts.stdout_path = dir_.path() + "/prometheus.log";
  opts.stderr_path = opts.stdout_path;
  child_ = std::make_unique<child_process>(
      std::vector<std::string>{prometheus_bin, "--config.file=" + dir_.path() + "/prometheus.yml",
                               "--storage.tsdb.path=" + dir_.path() + "/tsdb",
                               "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
      opts);
  bool exited = false;
  bool ready = eventually(
      [&] {
        exited = !child_->running();
        return exited || status_of(port_, "/-/ready") == 200;
      },
      30);
  if (ready && !exited)
    return true;
  child_->kill9();
  if (exited && log().find("address already in use") != std::string::npos)
    return false;
  throw std::runtime_error(
      std::string{exited ? "prometheus exited" : "prometheus not ready in 30 s"} + "; its log:\n"
      + log());
}

prometheus_process::~prometheus_process() {
  if (child_)
    child_->terminate(std::chrono::seconds(10));
}

std::string prometheus_process::query(const std::string& promql) const {
  http::client c{"127.0.0.1", port_, std::chrono::seconds(5)};
  return c.send("GET", "/api/v1/query?query=" + url_encoded(promql)).body;
}

std::string prometheus_process::log() const {
  return read_file(dir_.path() + "/prometheus.log");
}

std::string single_sample_value(const std::string& query_answer) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(query_answer).get(doc))
    return {};
  std::string_view status, type, value;
  simdjson::dom::array result;
  if (doc["status"].get(status) || status != "success" || doc["data"]["resultType"].get(type)
      || type != "vector" || doc["data"]["result"].get(result) || result.size() != 1
      || result.at(0)["value"].at(1).get(value))
    return {};
  return std::string{value};
}

std::string url_encoded(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof(hex), "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

} // namespace sluice::test
