#!/usr/bin/env bash
# The one start command (README): installs what is missing, builds, and runs
# `sluice serve` with its defaults (data in ./data, http://127.0.0.1:8787).
# Extra arguments are passed to `sluice serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build -j "$(nproc)" sluice
exec build/cli/sluice serve "$@"
