#!/usr/bin/env python3
"""The summary of a bench/ab.sh run: per table row, the median msgs/s and
server CPU per message of A and of B over the rounds, and B/A.

usage: bench/ab_summary.py RESULTS_DIR ROUNDS
RESULTS_DIR holds sluice_bench --json files named LABEL-SCENARIO-ROUND.json.
"""
import json, pathlib, statistics, sys


def main():
    results, rounds = pathlib.Path(sys.argv[1]), sys.argv[2]
    rates, cpus, order = {}, {}, []
    for f in sorted(results.glob("*.json"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
        label = f.stem.split("-", 1)[0]
        for row in json.loads(f.read_text()):
            key = (row["scenario"], row["connections"])
            if key not in order:
                order.append(key)
            rates.setdefault((label, key), []).append(row["messages_per_s"])
            if "server_cpu_us_per_message" in row:
                cpus.setdefault((label, key), []).append(row["server_cpu_us_per_message"])
    print(f"== medians over {rounds} round(s): msgs/s (server CPU us/msg)")
    print(f"{'row':<34} {'A':>18} {'B':>18}   B/A")
    for key in order:
        rate = {l: statistics.median(rates[(l, key)]) for l in ("A", "B") if (l, key) in rates}
        cpu = {l: statistics.median(cpus[(l, key)]) for l in ("A", "B") if (l, key) in cpus}
        cells = [(f"{rate[l]:,.0f}" if l in rate else "-") + (f" ({cpu[l]:.1f})" if l in cpu else "")
                 for l in ("A", "B")]
        ratio = f"{rate['B'] / rate['A']:.2f}" if rate.get("A") and "B" in rate else "-"
        name = f"{key[0]} x{key[1]}"
        print(f"{name:<34} {cells[0]:>18} {cells[1]:>18}   {ratio}")

if __name__ == "__main__":
    main()
