#!/usr/bin/env bash
# A/B comparison of two `sluice` binaries on this machine: for each round and
# scenario, starts A then B on a fresh data dir and runs sluice_bench against
# it, so slow drifts of the machine (disk, other load) hit both alike.
#
#   bench/ab.sh A_BIN B_BIN [ROUNDS] [SCENARIOS...]
#   e.g. bench/ab.sh /tmp/before/sluice build/cli/sluice 3 batch single mixed drain push
#
# `push` needs a --plugin-dir with noop.so: PLUGINS_A / PLUGINS_B (default
# build/plugins). Prints the table rows, each headed by "== A|B scenario", then
# per row the median msgs/s (and server CPU per message) of A and of B over the
# rounds and B/A: on a shared 2-vCPU VM one round can swing by a fifth, so a
# lever is judged on the medians of several rounds.
set -euo pipefail
a=$1
b=$2
rounds=${3:-3}
shift $(($# < 3 ? $# : 3))
if (($#)); then scenarios=("$@"); else scenarios=(batch single mixed drain); fi
here=$(cd "$(dirname "$0")/.." && pwd)
bench=${BENCH:-$here/build/bench/sluice_bench}
port=${PORT:-8799}

run() { # label binary plugins scenario
  local d pid
  d=$(mktemp -d)
  SLUICE_BOOTSTRAP_TOKEN=bench-token "$2" serve --listen 127.0.0.1:$port --data-dir "$d/data" \
    --plugin-dir "$3" >"$d/out.log" 2>"$d/err.log" &
  pid=$!
  for _ in $(seq 100); do grep -q listening "$d/out.log" && break; sleep 0.1; done
  echo "== $1 $4"
  local extra=()
  [[ $4 == push ]] && extra=(--drain-messages 600000)
  "$bench" --url http://127.0.0.1:$port --token bench-token --seconds 8 --scenario "$4" --server-pid $pid \
    --json "$results/$1-$4-$r.json" "${extra[@]}" | tail -n +2
  kill -TERM $pid
  wait $pid || true
  rm -rf "$d"
}

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
for ((r = 1; r <= rounds; r++)); do
  for s in "${scenarios[@]}"; do
    run A "$a" "${PLUGINS_A:-$here/build/plugins}" "$s"
    run B "$b" "${PLUGINS_B:-$here/build/plugins}" "$s"
  done
done
python3 "$here/bench/ab_summary.py" "$results" "$rounds"
