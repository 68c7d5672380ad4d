#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "child_process.hpp"
#include "tests/temp_dir.hpp"

namespace sluice::test {

/// Where the Debian package `prometheus` (scripts/install-deps.sh) puts its programs.
inline constexpr const char* prometheus_bin = "/usr/bin/prometheus";
inline constexpr const char* promtool_bin = "/usr/bin/promtool";

/// A real Prometheus server as a child process, scraping one target's
/// `/metrics` every second. It listens on a free loopback port and keeps its
/// config, TSDB and log in its own temp dir, so it never touches a system
/// Prometheus (Debian's service on :9090, /var/lib/prometheus). Stopped
/// (SIGTERM, then waited for; SIGKILL after 10 s) on destruction. Not thread-safe.
class prometheus_process {
public:
  /// Starts Prometheus scraping `127.0.0.1:target_port` and waits (up to 30 s)
  /// until `/-/ready` answers 200. Throws std::runtime_error with its log if
  /// it cannot start or does not become ready.
  explicit prometheus_process(uint16_t target_port);
  ~prometheus_process();
  prometheus_process(const prometheus_process&) = delete;
  prometheus_process& operator=(const prometheus_process&) = delete;

  uint16_t port() const { return port_; }

  /// The JSON body of `GET /api/v1/query?query=PROMQL` (an instant query at
  /// now). Throws std::runtime_error if Prometheus does not answer.
  std::string query(const std::string& promql) const;

  /// What Prometheus logged so far (its stderr).
  std::string log() const;

private:
  /// One attempt on a fresh free port: true once ready, false if the port was
  /// taken meanwhile; throws for anything else.
  bool start();

  temp_dir dir_;
  std::unique_ptr<child_process> child_;
  uint16_t port_ = 0;
};

/// The value of an instant-query answer that is a success with a vector of
/// exactly one sample, as Prometheus wrote it (e.g. "5"); "" for anything
/// else (no sample yet, an error, more samples, not JSON).
std::string single_sample_value(const std::string& query_answer);

/// `text` percent-encoded for a URL query value (all but A-Z a-z 0-9 - . _ ~).
std::string url_encoded(const std::string& text);

} // namespace sluice::test
