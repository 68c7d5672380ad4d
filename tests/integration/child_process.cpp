#include "child_process.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace sluice::test {

namespace {

/// The test's environment with `changes` applied, as "NAME=value" strings.
std::vector<std::string>
environment(const std::vector<std::pair<std::string, std::string>>& changes) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry{*e};
    auto name = entry.substr(0, entry.find('='));
    bool changed = false;
    for (auto& [k, v] : changes)
      changed = changed || k == name;
    if (!changed)
      out.push_back(std::move(entry));
  }
  for (auto& [k, v] : changes)
    if (!v.empty())
      out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

/// Frees the spawn attributes and file actions however `start` leaves.
struct spawn_setup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  spawn_setup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~spawn_setup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  spawn_setup(const spawn_setup&) = delete;
  spawn_setup& operator=(const spawn_setup&) = delete;
};

} // namespace

child_process::child_process(std::vector<std::string> argv, child_options opts) {
  if (argv.empty())
    throw std::invalid_argument("child_process: empty argv");
  spawn_setup s;
  constexpr int append = O_WRONLY | O_CREAT | O_APPEND;
  posix_spawn_file_actions_addopen(&s.actions, STDIN_FILENO, opts.stdin_path.c_str(), O_RDONLY, 0);
  int pipe_fds[2] = {-1, -1};
  if (opts.stdout_path.empty()) {
    // Close-on-exec, so that no other child inherits either end; dup2 onto
    // fd 1 clears the flag for this child's stdout only.
    if (pipe2(pipe_fds, O_CLOEXEC) != 0)
      throw std::runtime_error(std::string{"pipe2: "} + std::strerror(errno));
    posix_spawn_file_actions_adddup2(&s.actions, pipe_fds[1], STDOUT_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&s.actions, STDOUT_FILENO, opts.stdout_path.c_str(), append,
                                     0644);
  }
  if (opts.stderr_to_stdout)
    posix_spawn_file_actions_adddup2(&s.actions, STDOUT_FILENO, STDERR_FILENO);
  else
    posix_spawn_file_actions_addopen(&s.actions, STDERR_FILENO, opts.stderr_path.c_str(), append,
                                     0644);
  // The child starts with no blocked signals and SIGPIPE at its default.
  sigset_t none;
  sigemptyset(&none);
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  posix_spawnattr_setsigmask(&s.attr, &none);
  posix_spawnattr_setsigdefault(&s.attr, &pipe_only);
  posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  auto env = environment(opts.env);
  auto envp = pointers(env);
  auto args = pointers(argv);
  int rc = posix_spawn(&pid_, argv[0].c_str(), &s.actions, &s.attr, args.data(), envp.data());
  if (pipe_fds[1] >= 0)
    close(pipe_fds[1]);
  if (rc != 0) {
    if (pipe_fds[0] >= 0)
      close(pipe_fds[0]);
    pid_ = -1;
    throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  }
  out_fd_ = pipe_fds[0];
}

child_process::~child_process() {
  close_stdout();
  if (pid_ > 0)
    kill9();
}

void child_process::close_stdout() {
  if (out_fd_ >= 0)
    close(out_fd_);
  out_fd_ = -1;
}

std::string child_process::read_stdout_to_end() {
  std::string out;
  char buf[4096];
  while (out_fd_ >= 0) {
    auto n = read(out_fd_, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    out.append(buf, static_cast<size_t>(n));
  }
  close_stdout();
  return out;
}

int child_process::reaped(int status) {
  pid_ = -1;
  status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return status_;
}

bool child_process::running() {
  if (pid_ <= 0)
    return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    reaped(status);
    return false;
  }
  return true;
}

int child_process::wait() {
  if (pid_ <= 0)
    return status_;
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  return reaped(status);
}

int child_process::terminate(std::chrono::milliseconds grace) {
  if (pid_ <= 0)
    return status_;
  kill(pid_, SIGTERM);
  auto until = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < until) {
    if (!running())
      return status_;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill9();
  return -1;
}

void child_process::kill9() {
  if (pid_ <= 0)
    return;
  kill(pid_, SIGKILL);
  wait();
}

run_result run_program(std::vector<std::string> argv, const std::string& stdin_path) {
  child_options opts;
  opts.stdin_path = stdin_path;
  opts.stderr_to_stdout = true;
  child_process child{std::move(argv), opts};
  run_result r;
  r.output = child.read_stdout_to_end();
  r.status = child.wait();
  return r;
}

} // namespace sluice::test
