#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace sluice::test {

/// How a child's standard streams and environment are set up.
struct child_options {
  std::string stdin_path = "/dev/null";  ///< opened read-only as stdin
  std::string stderr_path = "/dev/null"; ///< opened for appending (created if missing)
  /// Empty: stdout is a pipe whose read end `stdout_fd()` gives (close it with
  /// `close_stdout()` once done). Else opened for appending like `stderr_path`.
  std::string stdout_path;
  bool stderr_to_stdout = false; ///< stderr goes where stdout goes (ignores `stderr_path`)
  /// Changes to the test's environment: a pair with an empty value unsets the name.
  std::vector<std::pair<std::string, std::string>> env;
};

/// One program run as a child process (posix_spawn, no PATH search). The
/// child is killed (SIGKILL) and reaped on destruction if still running, so a
/// failing assertion never leaves it behind. Not thread-safe.
class child_process {
public:
  /// Starts `argv[0]` (an absolute path) with `argv`. Throws
  /// std::runtime_error naming the program if it cannot be started.
  child_process(std::vector<std::string> argv, child_options opts = {});
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const { return pid_; }
  /// The read end of the stdout pipe, or -1 (stdout went to a file, or closed).
  int stdout_fd() const { return out_fd_; }
  void close_stdout();
  /// Reads stdout until the child closes it (normally: exits) and returns it.
  std::string read_stdout_to_end();

  /// True while the child has not exited (reaps it if it has).
  bool running();
  /// Waits for the exit; the exit status, or -1 if a signal ended it.
  int wait();
  /// SIGTERM, waits up to `grace`, then SIGKILL. The exit status, or -1 if a
  /// signal ended it (also when it had to be killed).
  int terminate(std::chrono::milliseconds grace = std::chrono::seconds(30));
  /// SIGKILL, then waits.
  void kill9();

private:
  int reaped(int status);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int status_ = -1; ///< once reaped
};

/// What a program that ran to completion printed and how it ended.
struct run_result {
  int status = -1;    ///< exit status, -1 if a signal ended it
  std::string output; ///< stdout and stderr, interleaved as written
};

/// Runs `argv` to completion with stdin read from `stdin_path`.
run_result run_program(std::vector<std::string> argv, const std::string& stdin_path = "/dev/null");

} // namespace sluice::test
