#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what is missing, builds,
# and runs every suite — format and layout checks, unit tests (also under
# ASan+UBSan), integration tests against the real server, and the
# compatibility suite (the real `cloudflare` SDK and `wrangler`).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

echo "== dependencies"
scripts/install-deps.sh test
scripts/install-compat-deps.sh build/compat

echo "== checks"
scripts/check.sh

echo "== build (release)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_TESTS=ON \
  -DSLUICE_INTEGRATION=ON -DSLUICE_COMPAT=ON >/dev/null
ninja -C build -j "$jobs"

echo "== build (ASan+UBSan, unit tests)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSLUICE_SANITIZE=ON \
  -DSLUICE_INTEGRATION=OFF -DSLUICE_COMPAT=OFF >/dev/null
ninja -C build-asan -j "$jobs" unit_tests storage_tests raft_unit_tests replicated_unit_tests

echo "== unit tests (ASan+UBSan)"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest -L unit --output-on-failure --no-tests=error)

echo "== all tests (release: unit, integration, compat)"
(cd build && ctest --output-on-failure --no-tests=error)
