#!/usr/bin/env bash
# Fault test of a three-node cluster (docs/cluster.md, "Fault tests"):
#   scripts/cluster-faults.sh [--binary PATH] [--kills N] [--seconds S] [more: --help]
# The last line it prints is
#   cluster faults: kills K, sends acked A, lost L, redelivered after ack R, minority writes W
# Network namespaces it makes (as root) are removed on any exit.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
prefix="sf$$"
cleanup() {
  python3 -c "import sys; sys.path.insert(0, '$here/cluster_faults'); import netns; netns.teardown_prefix('$prefix')" \
    2>/dev/null || true
}
if [[ $EUID -eq 0 ]]; then
  trap cleanup EXIT
  trap 'exit 130' INT TERM
fi
python3 "$here/cluster_faults/main.py" --netns-prefix "$prefix" "$@" &
child=$!
trap 'kill -TERM $child 2>/dev/null; wait $child; exit 130' INT TERM
wait $child
