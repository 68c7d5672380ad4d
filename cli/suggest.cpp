#include "cli/suggest.hpp"

#include <algorithm>
#include <numeric>

#include <CLI/CLI.hpp>

namespace sluice::cli {

namespace {

/// `app` or the nearest ancestor that knows the flag `name` ("--url", "-h").
const CLI::Option* find_flag(const CLI::App* app, const std::string& name) {
  for (; app != nullptr; app = app->get_parent())
    if (auto* opt = app->get_option_no_throw(name))
      return opt;
  return nullptr;
}

std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    names.push_back(sub->get_name());
  return names;
}

/// Every flag spelling `app` and its ancestors accept ("--json", "-h").
std::vector<std::string> flag_names(const CLI::App* app) {
  std::vector<std::string> names;
  for (; app != nullptr; app = app->get_parent())
    for (const auto* opt : app->get_options()) {
      for (const auto& l : opt->get_lnames())
        names.push_back("--" + l);
      for (const auto& s : opt->get_snames())
        names.push_back("-" + s);
    }
  return names;
}

bool has_positionals(const CLI::App& app) {
  return !app.get_options([](const CLI::Option* o) { return !o->nonpositional(); }).empty();
}

} // namespace

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), size_t{0});
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string> closest(std::string_view typed, const std::vector<std::string>& names) {
  std::optional<std::string> best;
  size_t best_distance = std::min<size_t>(3, typed.size());
  for (const auto& name : names)
    if (auto d = edit_distance(typed, name); d < best_distance) {
      best = name;
      best_distance = d;
    }
  return best;
}

std::optional<std::string> unknown_word_message(const CLI::App& root, int argc,
                                                const char* const* argv) {
  const CLI::App* app = &root;
  std::string path = "sluice";
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word == "--")
      return std::nullopt;
    if (word.size() > 1 && word[0] == '-') {
      auto eq = word.find('=');
      const auto* opt = find_flag(app, word.substr(0, eq));
      if (opt == nullptr) {
        auto flag = word.substr(0, eq);
        std::string message = "unknown flag '" + flag + "' for '" + path + "'";
        if (auto near = closest(flag, flag_names(app)))
          message += " \u2014 did you mean '" + *near + "'?";
        else
          message += "; run '" + path + " --help' for its flags";
        return message;
      }
      if (eq == std::string::npos)
        i += std::max(0, opt->get_items_expected_min());
      continue;
    }
    const auto names = subcommand_names(*app);
    if (names.empty())
      return std::nullopt;
    if (std::find(names.begin(), names.end(), word) != names.end()) {
      app = app->get_subcommand(word);
      path += " " + word;
      continue;
    }
    if (has_positionals(*app))
      return std::nullopt;
    std::string message = "unknown command '" + word + "' for '" + path + "'";
    if (auto near = closest(word, names))
      message += " \u2014 did you mean '" + *near + "'?";
    else
      message += "; run '" + path + " --help' for the commands";
    return message;
  }
  return std::nullopt;
}

} // namespace sluice::cli
