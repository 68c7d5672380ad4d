#include "server_process.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace sluice::test {

namespace {

/// Starts `sluice serve ARGS` with stdout and stderr appended to the files
/// named (so that everything it logs can be read later, across restarts).
pid_t spawn_serve(const std::vector<std::string>& args, const std::string& token,
                  const std::string& stdout_path, const std::string& stderr_path) {
  pid_t pid = fork();
  if (pid == 0) {
    int out = open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(out, STDOUT_FILENO);
    int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(err, STDERR_FILENO);
    if (token.empty())
      unsetenv("SLUICE_BOOTSTRAP_TOKEN");
    else
      setenv("SLUICE_BOOTSTRAP_TOKEN", token.c_str(), 1);
    std::vector<char*> argv;
    std::string bin = SLUICE_BIN;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  if (pid < 0)
    throw std::runtime_error("fork failed");
  return pid;
}

std::string read_file(const std::string& path) {
  std::ifstream in{path};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
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
  if (pid_ > 0)
    kill9();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void server_process::start() {
  std::vector<std::string> args{"serve", "--listen", "127.0.0.1:0", "--data-dir", dir_ + "/data"};
  args.insert(args.end(), args_.begin(), args_.end());
  auto out_path = dir_ + "/stdout.log";
  auto err_path = dir_ + "/stderr.log";
  auto from = read_file(out_path).size(); // what earlier starts printed
  pid_ = spawn_serve(args, token_, out_path, err_path);
  std::regex ready{R"(listening on http://127\.0\.0\.1:(\d+))"};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::string seen;
  while (std::chrono::steady_clock::now() < deadline) {
    seen = read_file(out_path).substr(from);
    std::smatch m;
    if (std::regex_search(seen, m, ready)) {
      port_ = static_cast<uint16_t>(std::stoi(m[1]));
      out_ += seen;
      return;
    }
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1; // exited
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (pid_ > 0)
    kill9();
  throw std::runtime_error("sluice serve did not become ready; stdout:\n" + seen + "\nstderr:\n"
                           + read_file(err_path));
}

std::string server_process::stdout_log() const {
  return read_file(dir_ + "/stdout.log");
}

std::unique_ptr<http::client> server_process::client() const {
  return std::make_unique<http::client>("127.0.0.1", port_);
}

int server_process::wait_exit() {
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int server_process::terminate() {
  kill(pid_, SIGTERM);
  return wait_exit();
}

void server_process::kill9() {
  kill(pid_, SIGKILL);
  wait_exit();
}

void server_process::restart() {
  start();
}

int run_serve_expecting_exit(const std::vector<std::string>& args) {
  auto pid = spawn_serve(args, "x", "/dev/null", "/dev/null");
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace sluice::test
