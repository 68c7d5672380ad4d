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
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace sluice::test {

namespace {

pid_t spawn_serve(const std::vector<std::string>& args, const std::string& token,
                  const std::string& stderr_path, int* stdout_fd) {
  int fds[2];
  if (pipe(fds) != 0)
    throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(err, STDERR_FILENO);
    close(fds[0]);
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
  close(fds[1]);
  *stdout_fd = fds[0];
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
  int fd = -1;
  auto err_path = dir_ + "/stderr.log";
  pid_ = spawn_serve(args, token_, err_path, &fd);
  std::regex ready{R"(listening on http://127\.0\.0\.1:(\d+))"};
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
        port_ = static_cast<uint16_t>(std::stoi(m[1]));
        out_ += seen;
        close(fd); // later output goes nowhere; the server ignores EPIPE
        return;
      }
    }
  }
  close(fd);
  kill9();
  throw std::runtime_error("sluice serve did not become ready; stdout:\n" + seen + "\nstderr:\n"
                           + read_file(err_path));
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
  int fd = -1;
  auto pid = spawn_serve(args, "x", "/dev/null", &fd);
  close(fd);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace sluice::test
