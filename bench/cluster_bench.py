#!/usr/bin/env python3
"""The same scenarios against one node and a three-node cluster in one run, with
the ratios, and the failover time (docs/benchmarks.md, "Cluster").

One node: `sluice serve --dev` on a fresh data dir. The cluster: three nodes on
loopback ports, fresh data dirs, all on this machine's one disk. The load comes
from sluice_bench (C++, one keep-alive connection per thread; against the cluster
its connections are spread over the three nodes, so two thirds go through a
follower that forwards to the leader). Failover: while probes send single
messages to both followers, kill -9 the leader; the time from the kill to the
first 200 answered by another node (to a send made after the kill); repeated
--failovers times, the killed node restarted in between.

usage: bench/cluster_bench.py [--binary build/cli/sluice] [--bench build/bench/sluice_bench]
                              [--seconds 10] [--connections 32] [--drain-messages 200000]
                              [--failovers 5]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts",
                                "cluster_faults"))
from api import Client  # noqa: E402
from nodes import Cluster, Node, free_port, free_port_pair  # noqa: E402

SCENARIOS = ("batch", "single", "drain")
LEADER_ONLY = " (leader)"


def loopback(_i, argv):
    return argv


class Deployment:
    """`count` nodes (1: a single node without cluster flags) on loopback."""

    def __init__(self, binary, count, work):
        self.nodes = []
        for i in range(1, count + 1):
            n = Node(binary, i, work, "127.0.0.1", free_port(), "127.0.0.1", free_port_pair(),
                     loopback)
            n.cluster = count > 1
            self.nodes.append(n)
        members = ",".join(f"{n.id}={n.raft_address}" for n in self.nodes)
        for n in self.nodes:
            n.members = members
        self.cluster = Cluster(self.nodes, Client(self.endpoint, 10.0), print)

    def endpoint(self, node_id):
        import socket
        return ("127.0.0.1", self.nodes[node_id - 1].http_port,
                lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))

    def start(self):
        for n in self.nodes:
            n.start(60)
        if self.cluster.wait_leader(60) is None:
            raise RuntimeError("no leader within 60 s")

    def urls(self):
        return ",".join(f"http://127.0.0.1:{n.http_port}" for n in self.nodes)

    def stop(self):
        for n in self.nodes:
            n.terminate(30)


def bench(args, urls, scenario, work, label):
    out = os.path.join(work, f"{label}-{scenario}.json")
    cmd = [args.bench, "--url", urls, "--token", "dev", "--scenario", scenario,
           "--seconds", str(args.seconds), "--connections", str(args.connections),
           "--drain-messages", str(args.drain_messages), "--json", out]
    r = subprocess.run(cmd, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sys.stdout.write(r.stdout)
    sys.stdout.flush()
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {r.stderr.strip()}")
    with open(out) as f:
        return json.load(f)


class Probe(threading.Thread):
    """Sends single messages to one node until `stop`; remembers the first 200
    answer to a send made at or after `since`."""

    def __init__(self, dep, node_id, queue_id, since, stop):
        super().__init__(daemon=True)
        self.client = Client(dep.endpoint, 2.0)
        self.node_id, self.queue_id, self.since, self.stop = node_id, queue_id, since, stop
        self.first = None

    def run(self):
        while not self.stop.is_set() and self.first is None:
            a = self.client.call(self.node_id, "POST", f"/queues/{self.queue_id}/messages",
                                 {"body": "probe", "content_type": "text"})
            if a.status == 200 and self.since[0] is not None and a.t0 >= self.since[0]:
                self.first = a.t1
            elif a.status != 200:
                time.sleep(0.005)
        self.client.close()


def failovers(dep, count):
    c = dep.cluster.client
    q = None
    while q is None:
        a = c.call(dep.nodes[0].id, "POST", "/queues", {"queue_name": "failover"})
        q = a.result["queue_id"] if a.ok else None
        time.sleep(0 if q else 0.2)
    times, elections = [], []
    for k in range(count):
        leader = dep.cluster.wait_leader(60)
        since, stop = [None], threading.Event()
        probes = [Probe(dep, n.id, q, since, stop) for n in dep.nodes if n.id != leader.id]
        for p in probes:
            p.start()
        time.sleep(1.0)
        since[0] = time.monotonic()
        leader.kill()
        new = dep.cluster.wait_leader(60, exclude=(leader.id,))
        elections.append(time.monotonic() - since[0])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(p.first for p in probes):
            time.sleep(0.01)
        stop.set()
        firsts = [p.first for p in probes if p.first]
        took = min(firsts) - since[0] if firsts else None
        times.append(took)
        print(f"failover {k + 1}: kill -9 leader node {leader.id}; node {new.id if new else '?'} "
              f"leads after {elections[-1]:.2f} s; first 200 from another node after "
              + (f"{took:.2f} s" if took is not None else "none in 60 s"), flush=True)
        for p in probes:
            p.join()
        leader.start(60)
        dep.cluster.wait_joined(leader, 60)
        time.sleep(3)
    return times, elections


def row(rows, name):
    return next((r for r in rows if r["scenario"] == name), None)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--binary", default="build/cli/sluice")
    p.add_argument("--bench", default="build/bench/sluice_bench")
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--drain-messages", type=int, default=200000)
    p.add_argument("--failovers", type=int, default=5)
    p.add_argument("--only", choices=("single", "cluster"), default=None)
    args = p.parse_args()
    args.binary, args.bench = os.path.abspath(args.binary), os.path.abspath(args.bench)
    results = {}
    fo = el = []
    for label, count in (("single", 1), ("cluster", 3)):
        if args.only and args.only != label:
            continue
        work = tempfile.mkdtemp(prefix=f"sluice-cbench-{label}-")
        dep = Deployment(args.binary, count, work)
        try:
            dep.start()
            print(f"== {label}: {count} node(s), {dep.urls()}", flush=True)
            rows = []
            for s in SCENARIOS:
                rows += bench(args, dep.urls(), s, work, label)
            if count > 1:  # the same batches with every connection on the leader
                leader = dep.cluster.wait_leader(60)
                print(f"-- every connection to the leader, node {leader.id}", flush=True)
                for r in bench(args, f"http://127.0.0.1:{leader.http_port}", "batch", work,
                               "leader"):
                    r["scenario"] += LEADER_ONLY
                    rows.append(r)
            results[label] = rows
            if count > 1 and args.failovers > 0:
                fo, el = failovers(dep, args.failovers)
        finally:
            dep.stop()
            for n in dep.nodes:
                n.kill()
            shutil.rmtree(work, ignore_errors=True)

    names = [r["scenario"] for r in results.get("cluster", results.get("single", []))]
    print()
    print(f"{'scenario':<24} {'conns':>5} {'single msgs/s':>14} {'cluster msgs/s':>15} "
          f"{'cluster/single':>15} {'single p99 ms':>14} {'cluster p99 ms':>15}")
    for name in names:
        s = row(results.get("single", []), name.replace(LEADER_ONLY, ""))
        c = row(results.get("cluster", []), name)
        sm = s["messages_per_s"] if s else None
        cm = c["messages_per_s"] if c else None
        ratio = f"{cm / sm:.2f}" if sm and cm else "-"
        conns = (c or s)["connections"]
        print(f"{name:<24} {conns:>5} {sm or 0:>14,.0f} {cm or 0:>15,.0f} {ratio:>15} "
              f"{(s or {}).get('latency_ms', {}).get('p99', 0):>14.1f} "
              f"{(c or {}).get('latency_ms', {}).get('p99', 0):>15.1f}")
    known = [t for t in fo if t is not None]
    if fo:
        print(f"failover (kill -9 leader -> first 200 from another node), s: "
              + ", ".join("-" if t is None else f"{t:.2f}" for t in fo)
              + (f"; median {statistics.median(known):.2f}, max {max(known):.2f}" if known else ""))
        print(f"new leader seen in /cluster, s: median {statistics.median(el):.2f}, "
              f"max {max(el):.2f}")


if __name__ == "__main__":
    main()
