#include "cli_runner.hpp"

#include <cstdio>
#include <fstream>

#include <sys/wait.h>

#include <catch2/catch.hpp>

#include "tests/temp_dir.hpp"
#include "wait.hpp"

namespace sluice::test {

std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return out + "'";
}

cli_result run_cli(const std::string& env, const std::vector<std::string>& args,
                   const std::string& input) {
  temp_dir dir;
  auto in = dir.path() + "/in", err = dir.path() + "/err";
  std::ofstream{in} << input;
  // env -i: only what the test gives, so the caller's SLUICE_*/CLOUDFLARE_* do not leak in.
  std::string cmd = "env -i " + env + " " + shell_quoted(SLUICE_BIN);
  for (const auto& a : args)
    cmd += " " + shell_quoted(a);
  cmd += " <" + shell_quoted(in) + " 2>" + shell_quoted(err);
  cli_result r;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0)
    r.out.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = read_file(err);
  return r;
}

std::string cli::env() const {
  return "SLUICE_URL=http://127.0.0.1:" + std::to_string(srv.port()) + " SLUICE_TOKEN=" + token
         + " SLUICE_ACCOUNT=" + account;
}

cli_result cli::operator()(std::vector<std::string> args, const std::string& input) const {
  return run_cli(env(), args, input);
}

std::string cli::ok(std::vector<std::string> args, const std::string& input) const {
  auto r = run_cli(env(), args, input);
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace sluice::test
