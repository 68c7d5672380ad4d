#!/usr/bin/env bash
# The one start command (README): installs what building and running need,
# builds the server and the example plugins (build/plugins, which
# docs/plugins.md points --plugin-dir at), and runs `sluice serve` with its
# defaults (data in ./data, http://127.0.0.1:8787). Extra arguments are passed
# to `sluice serve`. The test suites are not configured here (no test tools).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh run
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_TESTS=OFF >/dev/null
ninja -C build -j "$(nproc)" sluice example_plugins
exec build/cli/sluice serve "$@"
