#include "cli/output.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include <unistd.h>

namespace sluice::cli {

void print_table(const std::vector<std::string>& headers,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(headers.size());
  for (size_t c = 0; c < headers.size(); ++c)
    width[c] = headers[c].size();
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size() && c < width.size(); ++c)
      width[c] = std::max(width[c], row[c].size());
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < width.size(); ++c) {
      auto cell = c < cells.size() ? cells[c] : std::string{};
      out += c + 1 < width.size() ? cell + std::string(width[c] - cell.size() + 2, ' ') : cell;
    }
    std::cout << out << '\n';
  };
  line(headers);
  for (const auto& row : rows)
    line(row);
}

void print_json(simdjson::dom::element e) {
  std::cout << simdjson::minify(e) << '\n';
}

std::vector<simdjson::dom::element> items(simdjson::dom::element array) {
  std::vector<simdjson::dom::element> out;
  simdjson::dom::array a;
  if (!array.get(a))
    for (auto e : a)
      out.push_back(e);
  return out;
}

std::string field(simdjson::dom::element obj, const char* key) {
  simdjson::dom::element v;
  if (obj[key].get(v) || v.is_null())
    return {};
  std::string_view s;
  if (!v.get(s))
    return std::string{s};
  return simdjson::minify(v);
}

std::string count_of(uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string count_of(const std::string& n, const char* one, const char* many) {
  return n + " " + (n == "1" ? one : many);
}

bool is_terminal(int fd) {
  return isatty(fd) == 1;
}

progress::progress(std::string what, uint64_t total)
  : what_(std::move(what)), total_(total), shown_(is_terminal(STDERR_FILENO)),
    start_(std::chrono::steady_clock::now()), last_(start_) {}

void progress::add(uint64_t n) {
  done_ += n;
  auto now = std::chrono::steady_clock::now();
  if (!shown_ || now - last_ < std::chrono::milliseconds(100))
    return;
  last_ = now;
  if (total_ > 0) {
    constexpr size_t bar = 30;
    auto filled = static_cast<size_t>(bar * std::min(done_, total_) / total_);
    std::fprintf(stderr, "\r%s [%s%s] %llu/%llu", what_.c_str(), std::string(filled, '#').c_str(),
                 std::string(bar - filled, ' ').c_str(), static_cast<unsigned long long>(done_),
                 static_cast<unsigned long long>(total_));
  } else {
    std::fprintf(stderr, "\r%s: %llu", what_.c_str(), static_cast<unsigned long long>(done_));
  }
  std::fflush(stderr);
}

void progress::finish() {
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start_;
  if (!shown_)
    return;
  std::fprintf(stderr, "\r%s: %llu in %.1f s (%.0f/s)\n", what_.c_str(),
               static_cast<unsigned long long>(done_), took.count(),
               took.count() > 0 ? static_cast<double>(done_) / took.count() : 0.0);
}

} // namespace sluice::cli
