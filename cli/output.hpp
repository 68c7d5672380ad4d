#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <simdjson.h>

namespace sluice::cli {

/// Prints `rows` under `headers` as a left-aligned text table on stdout.
void print_table(const std::vector<std::string>& headers,
                 const std::vector<std::vector<std::string>>& rows);

/// Prints `e` as compact JSON and a newline on stdout (`--json`).
void print_json(simdjson::dom::element e);

/// The elements of `array` (none when it is not an array).
std::vector<simdjson::dom::element> items(simdjson::dom::element array);

/// `obj[key]` as display text: strings as they are, other values as JSON,
/// "" when absent.
std::string field(simdjson::dom::element obj, const char* key);

/// `n` and the noun that fits it: "1 message", "2 messages", "0 messages".
std::string count_of(uint64_t n, const char* one, const char* many);

/// `count_of` for a count the API gave as JSON text (`field`'s output).
std::string count_of(const std::string& n, const char* one, const char* many);

/// True when `fd` is a terminal (progress bars and prompts only then).
bool is_terminal(int fd);

/// A one-line progress display on stderr, redrawn at most 10 times a second,
/// shown only when stderr is a terminal: a bar when the `total` is known, else
/// a count. `finish` prints the count and the rate there.
class progress {
public:
  explicit progress(std::string what, uint64_t total = 0);
  void add(uint64_t n);
  void finish();
  uint64_t done() const { return done_; }

private:
  std::string what_;
  uint64_t total_;
  bool shown_;
  uint64_t done_ = 0;
  std::chrono::steady_clock::time_point start_, last_;
};

} // namespace sluice::cli
