#include "server_process.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <regex>
#include <stdexcept>

#include <poll.h>
#include <unistd.h>

#include "wait.hpp"

namespace sluice::test {

namespace {

/// `sluice ARGS` as a child with SLUICE_BOOTSTRAP_TOKEN set to `token` (unset if empty).
std::unique_ptr<child_process> spawn_sluice(const std::vector<std::string>& args,
                                            const std::string& token, child_options opts) {
  std::vector<std::string> argv{SLUICE_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  opts.env.emplace_back("SLUICE_BOOTSTRAP_TOKEN", token);
  return std::make_unique<child_process>(std::move(argv), std::move(opts));
}

} // namespace

server_process::server_process(std::string bootstrap_token, std::vector<std::string> extra_args)
  : token_(std::move(bootstrap_token)), args_(std::move(extra_args)) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "sluice-it-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  start();
}

server_process::~server_process() {
  child_.reset(); // kills the server before its data dir goes
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void server_process::start() {
  std::vector<std::string> args{"serve", "--listen", "127.0.0.1:0"};
  if (std::find(args_.begin(), args_.end(), "--data-dir") == args_.end()) {
    args.emplace_back("--data-dir");
    args.push_back(dir_ + "/data");
  }
  args.insert(args.end(), args_.begin(), args_.end());
  auto err_path = dir_ + "/stderr.log";
  child_options opts;
  opts.stderr_path = err_path;
  child_ = spawn_sluice(args, token_, opts);
  int fd = child_->stdout_fd();
  std::regex ready{R"(listening on (https?)://127\.0\.0\.1:(\d+))"};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::string seen;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) > 0) {
      char buf[512];
      auto n = read(fd, buf, sizeof(buf));
      if (n <= 0)
        break; // exited
      seen.append(buf, static_cast<size_t>(n));
      std::smatch m;
      if (std::regex_search(seen, m, ready)) {
        tls_ = m[1] == "https";
        port_ = static_cast<uint16_t>(std::stoi(m[2]));
        out_ += seen;
        child_->close_stdout(); // later output goes nowhere; the server ignores EPIPE
        return;
      }
    }
  }
  child_.reset();
  throw std::runtime_error("sluice serve did not become ready; stdout:\n" + seen + "\nstderr:\n"
                           + read_file(err_path));
}

std::string server_process::log() const {
  return read_file(dir_ + "/stderr.log");
}

std::unique_ptr<http::client> server_process::client() const {
  return std::make_unique<http::client>("127.0.0.1", port_);
}

int server_process::terminate() {
  if (!child_)
    return -1;
  int status = child_->terminate();
  child_.reset();
  return status;
}

void server_process::kill9() {
  child_.reset();
}

void server_process::restart() {
  start();
}

run_result run_serve_expecting_exit(const std::vector<std::string>& args,
                                    const std::string& bootstrap_token) {
  child_options opts;
  opts.stderr_to_stdout = true;
  auto child = spawn_sluice(args, bootstrap_token, opts);
  run_result r;
  r.output = child->read_stdout_to_end();
  r.status = child->wait();
  return r;
}

} // namespace sluice::test
