#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
} // namespace CLI

namespace sluice::cli {

/// Levenshtein distance between `a` and `b` (insertions, deletions and
/// substitutions of single bytes).
size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `typed` when it is close enough to be a likely typo
/// (at most 2 edits, and fewer edits than `typed` has characters); the first
/// such candidate on ties; nullopt when none is close.
std::optional<std::string> closest(std::string_view typed, const std::vector<std::string>& names);

/// After CLI11 refused `argv`: walks it over `root`'s subcommand tree (skipping
/// flags and their values) and, when a word stands where only a subcommand may,
/// returns e.g. "unknown command 'lst' for 'sluice queues' — did you mean
/// 'list'?" (without the suggestion when no name is close); an unknown flag
/// the same way ("unknown flag '--jsn' for 'sluice queues list' — did you mean
/// '--json'?"). Nullopt when the walk reaches a command without subcommands
/// and meets no unknown flag: then CLI11's own message is the right one.
std::optional<std::string> unknown_word_message(const CLI::App& root, int argc,
                                                const char* const* argv);

} // namespace sluice::cli
