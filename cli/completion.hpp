#pragma once

#include <string>

namespace CLI {
class App;
} // namespace CLI

namespace sluice::cli {

/// A bash completion script for `root` (named `sluice`), generated from its
/// CLI11 tree: at each command level the subcommands, the flags (the level's
/// own and those of its ancestors, which CLI11's fallthrough accepts there) and
/// the choices of flags and positionals checked with `CLI::IsMember`. Installs
/// `_sluice` with `complete -F`; words after a flag that takes a value fall back
/// to file names.
std::string bash_completion(const CLI::App& root);

/// The same script prefixed for zsh: `#compdef sluice` and `bashcompinit`.
std::string zsh_completion(const CLI::App& root);

/// `sluice completion bash|zsh`: prints the script for the shell to stdout.
void add_completion_command(CLI::App& root);

} // namespace sluice::cli
