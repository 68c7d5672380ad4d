#!/usr/bin/env bash
# Installs the Debian 12 packages Sluice needs, if missing. Idempotent and
# quiet when everything is present. Needs root (or sudo).
#
#   install-deps.sh run    what building and running the server needs
#                          (scripts/run.sh)
#   install-deps.sh test   that and what the test suites need (scripts/test.sh):
#                          clang-format, Catch2, npm (the SDK and wrangler),
#                          Prometheus (promtool and a scraping server, on
#                          their own loopback ports: the tests never use the
#                          :9090 service the package sets up under systemd),
#                          Chromium (the console's browser test), dpkg-dev and
#                          curl (the .deb package's test).
set -euo pipefail
mode="${1:-test}"

run_packages=(
  build-essential cmake ninja-build pkg-config
  libcaf-dev librocksdb-dev libsimdjson-dev prometheus-cpp-dev
  libboost-dev libcli11-dev libspdlog-dev libssl-dev ca-certificates
  libraft-dev libuv1-dev liblz4-dev libjemalloc-dev
)
test_packages=(clang-format catch2 npm prometheus openssl dpkg-dev curl chromium)

case "$mode" in
  run) packages=("${run_packages[@]}") ;;
  test) packages=("${run_packages[@]}" "${test_packages[@]}") ;;
  *) echo "usage: install-deps.sh run|test" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm may come from outside Debian (e.g. a NodeSource or nvm install): accept it.
if command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/npm/}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
