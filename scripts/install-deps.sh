#!/usr/bin/env bash
# Installs the Debian 12 packages Sluice builds and tests with, if missing.
# Idempotent and quiet when everything is present. Needs root (or sudo).
# `prometheus` gives the tests /usr/bin/prometheus and /usr/bin/promtool; the
# tests run their own Prometheus on a free loopback port and never use the
# system service the package sets up (:9090) where systemd runs.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang-format
  libcaf-dev librocksdb-dev libsimdjson-dev prometheus-cpp-dev catch2
  libboost-dev libcli11-dev libspdlog-dev libssl-dev
  ca-certificates npm prometheus
)

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
