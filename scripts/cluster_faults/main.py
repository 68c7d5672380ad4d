#!/usr/bin/env python3
"""Fault test of a three-node Sluice cluster (docs/cluster.md, "Fault tests").

Starts three `sluice serve` nodes (each in a network namespace of its own when run
as root, else on loopback ports) with temp data dirs, creates a queue and runs
concurrent senders and pull/ack consumers against random nodes while faults are
injected: kill -9 of the leader, of a follower, a follower kept down while the log
moves on, the leader isolated from its peers. Then it heals, drains the queue,
stops the nodes, compares their `sluice cluster digest`, and prints as its last line

  cluster faults: kills K, sends acked A, lost L, redelivered after ack R, minority writes W

Exit status 0 only if L, R and W are 0, the digests are equal, the queue drained
and no node exited on its own. Usage: scripts/cluster-faults.sh [--binary PATH]
[--kills N] [--seconds S] (the wrapper; see --help for the rest)."""
import argparse
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import netns
from api import Client
from checker import check, failover_times
from faults import Faults, HarnessError
from load import Consumer, EventLog, Sender, id_of, retryable
from nodes import Cluster, Node, free_port, free_port_pair

T0 = time.monotonic()


def say(text):
    print(f"[{time.monotonic() - T0:7.1f} s] {text}", flush=True)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--binary", default="build/cli/sluice")
    p.add_argument("--kills", type=int, default=5, help="kill -9s at least (leaders and followers)")
    p.add_argument("--seconds", type=float, default=60,
                   help="seconds of load at least (faults stop once --kills are done)")
    p.add_argument("--nodes", type=int, default=3, choices=(1, 3),
                   help="1: a single node without cluster flags (tests the harness itself)")
    p.add_argument("--senders", type=int, default=4)
    p.add_argument("--consumers", type=int, default=3)
    p.add_argument("--settle", type=float, default=2.0, help="seconds a killed node stays down")
    p.add_argument("--long-log-seconds", type=float, default=10.0,
                   help="seconds the long-log follower stays down")
    p.add_argument("--isolate-seconds", type=float, default=6.0,
                   help="seconds the leader stays isolated after a new leader is seen")
    p.add_argument("--gap", type=float, default=2.0, help="seconds of load between faults")
    p.add_argument("--leader-timeout", type=float, default=60.0)
    p.add_argument("--start-timeout", type=float, default=60.0)
    p.add_argument("--request-timeout", type=float, default=10.0)
    p.add_argument("--drain-timeout", type=float, default=180.0)
    p.add_argument("--max-seconds", type=float, default=0,
                   help="cap on the fault schedule (default: seconds + 45 per kill + 120)")
    p.add_argument("--no-netns", action="store_true", help="loopback only, no isolation")
    p.add_argument("--netns-prefix", default=f"sf{os.getpid()}")
    p.add_argument("--keep", action="store_true", help="keep the temp dir even on success")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--node-flag", action="append", default=[],
                   help="an extra flag for every `sluice serve` (repeatable)")
    a = p.parse_args(argv)
    if a.max_seconds <= 0:
        a.max_seconds = a.seconds + 45 * a.kills + 120
    return a


class Run:
    def __init__(self, args):
        self.args = args
        self.binary = os.path.abspath(args.binary)
        self.work = tempfile.mkdtemp(prefix="sluice-faults-")
        self.net = None
        self.log = EventLog()
        seed = args.seed if args.seed is not None else random.randrange(1 << 30)
        self.seed = seed
        self.rng = random.Random(seed)
        self.nodes = []
        self.faults = None
        self.problems = []
        self.digests = {}
        self.drained = None
        self.load_errors = []
        self.stop_send, self.stop_consume = threading.Event(), threading.Event()
        self.threads = []

    # Set-up
    def setup_nodes(self):
        n = self.args.nodes
        use_netns, why = not self.args.no_netns, "--no-netns"
        if use_netns:
            use_netns, why = netns.available(self.args.netns_prefix)
        if use_netns:
            self.net = netns.Network(self.args.netns_prefix, n)
            self.net.setup()
            say(f"mode: network namespaces {self.args.netns_prefix}n1..n{n} on a bridge, "
                f"{self.net.subnet}.0/24; the leader is isolated by blackhole routes")
        else:
            say(f"mode: loopback ports, no isolation phase ({why})")
        for i in range(1, n + 1):
            if self.net:
                node = Node(self.binary, i, self.work, "127.0.0.1", 8787, self.net.address(i),
                            7000, self.net.command, self.args.node_flag)
            else:
                node = Node(self.binary, i, self.work, "127.0.0.1", free_port(), "127.0.0.1",
                            free_port_pair(), lambda _i, a: a, self.args.node_flag)
            node.cluster = n > 1
            self.nodes.append(node)
        members = ",".join(f"{x.id}={x.raft_address}" for x in self.nodes)
        for x in self.nodes:
            x.members = members

    def endpoint(self, node_id):
        node = self.nodes[node_id - 1]
        if self.net:
            return "127.0.0.1", node.http_port, lambda: self.net.socket_in(node_id)
        import socket
        return "127.0.0.1", node.http_port, lambda: socket.socket(socket.AF_INET,
                                                                  socket.SOCK_STREAM)

    def start(self):
        for x in self.nodes:
            took = x.start(self.args.start_timeout)
            say(f"node {x.id} listening ({took:.2f} s), data {x.data_dir}"
                + (f", raft {x.raft_address}" if x.cluster else ""))
        self.cluster = Cluster(self.nodes, Client(self.endpoint, self.args.request_timeout), say)
        leader = self.cluster.wait_leader(self.args.leader_timeout)
        if leader is None:
            raise HarnessError(f"no leader within {self.args.leader_timeout:.0f} s")
        say(f"node {leader.id} leads")
        self.queue_id = self.create_queue()
        self.args.queue_id = self.queue_id
        say(f"queue {self.queue_id}")

    def create_queue(self):
        c = self.cluster.client
        deadline = time.monotonic() + self.args.leader_timeout
        while time.monotonic() < deadline:
            node = self.rng.choice(self.nodes)
            a = c.call(node.id, "POST", "/queues", {"queue_name": "faults"})
            if a.ok:
                return a.result["queue_id"]
            if a.status == 409:  # an earlier attempt with an unknown outcome made it
                g = c.call(node.id, "GET", "/queues?name=faults")
                if g.ok and g.result:
                    return g.result[0]["queue_id"]
            if a.status is not None and not retryable(a) and a.status != 409:
                raise HarnessError(f"creating the queue: {a.status} {a.message()}")
            time.sleep(0.2)
        raise HarnessError("could not create the queue")

    # The run
    def run(self):
        a = self.args
        ids = [x.id for x in self.nodes]
        stop_send, stop_consume = self.stop_send, self.stop_consume
        senders = [Sender(k, self.queue_id, ids, self.endpoint, self.log, stop_send,
                          a.request_timeout, random.Random(self.rng.random()))
                   for k in range(a.senders)]
        consumers = [Consumer(k, self.queue_id, ids, self.endpoint, self.log, stop_consume,
                              a.request_timeout, random.Random(self.rng.random()))
                     for k in range(a.consumers)]
        self.threads = senders + consumers
        for t in senders + consumers:
            t.start()
        started = time.monotonic()
        say(f"load: {a.senders} senders, {a.consumers} consumers; faults until {a.kills} kills "
            f"and {a.seconds:.0f} s")
        self.faults = Faults(self.cluster, self.net, self.log, say, a, self.endpoint, self.rng)
        try:
            self.faults.run(started, started + a.seconds)
        except (HarnessError, RuntimeError) as e:
            # Go on with the nodes that run: the checks still hold for what was answered.
            say(f"fault schedule stopped: {e}")
            self.problems.append(str(e).splitlines()[0])
        finally:
            if self.net:
                self.net.heal()
        for x in self.nodes:
            if not x.running():
                try:
                    self.faults.restart(x)
                except (HarnessError, RuntimeError) as e:
                    x.kill()
                    self.faults.expected_up.discard(x.id)
                    say(f"node {x.id} left out of the drain and the digests: {e}")
                    self.problems.append(f"node {x.id} could not be restarted")
        if self.cluster.wait_leader(a.leader_timeout) is None:
            raise HarnessError("no leader to drain through")
        up = [x.id for x in self.nodes if x.running()]
        say(f"faults over; nodes {up} up; senders stop")
        stop_send.set()
        for t in senders:
            t.join()
        self.drained = self.drain()
        stop_consume.set()
        for t in consumers:
            t.join()
        self.final_pulls()
        applied, ok = self.cluster.wait_converged(a.leader_timeout)
        say(f"applied indexes {applied}: " + ("converged" if ok else "did NOT converge"))
        if not ok:
            self.problems.append(f"applied indexes did not converge: {applied}")
        self.stop_all()
        self.digest_all()

    def metric_backlog(self):
        for x in self.nodes:
            a = self.cluster.client.call(x.id, "GET", f"/queues/{self.queue_id}/metrics")
            if a.ok:
                return a.result.get("backlog_count")
        return None

    def drain(self):
        """Until the backlog is 0 and no pull delivered anything for 3 s."""
        deadline = time.monotonic() + self.args.drain_timeout
        began = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.5)
            events = self.log.snapshot()
            last = max((e["t1"] for e in events if e["kind"] == "pull" and e["msgs"]),
                       default=0)
            backlog = self.metric_backlog()
            if backlog == 0 and time.monotonic() - last >= 3.0:
                say(f"drained in {time.monotonic() - began:.1f} s")
                return True
        say(f"NOT drained after {self.args.drain_timeout:.0f} s (backlog {self.metric_backlog()})")
        self.problems.append("the queue did not drain")
        return False

    def final_pulls(self):
        """One more pull on each node: all must be empty (checked as any pull)."""
        for x in (n for n in self.nodes if n.running()):
            a = self.cluster.client.call(x.id, "POST", f"/queues/{self.queue_id}/messages/pull",
                                         {"batch_size": 100, "visibility_timeout_ms": 60000})
            msgs = ([(m["id"], id_of(m["body"]), m["lease_id"]) for m in a.result["messages"]]
                    if a.ok else [])
            self.log.add(kind="pull", node=x.id, t0=a.t0, t1=a.t1, status=a.status, msgs=msgs)
            if msgs:
                self.problems.append(f"node {x.id} still delivered {len(msgs)} after the drain")

    def stop_all(self):
        for x in (n for n in self.nodes if n.running()):
            code = x.terminate(30)
            say(f"node {x.id} stopped (SIGTERM): exit {code}")
            if code != 0:
                self.problems.append(f"node {x.id} did not stop cleanly (exit {code})")
        self.faults.expected_up.clear()

    def digest_all(self):
        for x in (n for n in self.nodes if n.exit_code() == 0):
            r = subprocess.run([self.binary, "cluster", "digest", x.data_dir], text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            line = r.stdout.strip() if r.returncode == 0 else f"error: {r.stderr.strip()}"
            self.digests[x.id] = line
            say(f"digest node {x.id}: {line}")
        if len(set(self.digests.values())) != 1:
            self.problems.append("the replicas' digests differ")
            for x in (n for n in self.nodes if n.exit_code() == 0):
                r = subprocess.run([self.binary, "cluster", "digest", "--families", x.data_dir],
                                   text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                say(f"node {x.id} by family:\n{r.stdout.rstrip()}")
        else:
            say("digests: all equal")

    def stop_load(self):
        """After a failure: the load threads stop before the report reads the log."""
        self.stop_send.set()
        self.stop_consume.set()
        for t in self.threads:
            t.join(timeout=self.args.request_timeout + 5)

    # Report
    def report(self):
        self.stop_load()
        self.load_errors = [e for t in self.threads for e in t.errors]
        events = self.log.snapshot()
        windows = self.faults.windows if self.faults else []
        v = check(events, windows)
        kills = self.faults.kills if self.faults else 0
        fo = failover_times(events)
        if fo:
            shown = ", ".join("-" if s is None else f"{s:.2f}" for _, s in fo)
            known = [s for _, s in fo if s is not None]
            say(f"failover (kill -9 leader -> first 200 from another node), s: {shown}"
                + (f"; median {statistics.median(known):.2f}, max {max(known):.2f}" if known else ""))
        if self.faults and self.faults.elections:
            el = self.faults.elections
            say(f"new leader seen in /cluster after a kill, s: median {statistics.median(el):.2f}, "
                f"max {max(el):.2f}")
        for text in (self.faults.isolations + self.faults.long_logs) if self.faults else []:
            say(text)
        sends = [e for e in events if e["kind"] == "send"]
        pulls = [e for e in events if e["kind"] == "pull" and e["status"] == 200]
        acks = [e for e in events if e["kind"] == "ack" and e["status"] == 200]
        say(f"requests: {len(sends)} send attempts ({v.unknown_outcome} without a 200 or 4xx: "
            f"retried), {len(pulls)} pulls answered, {len(acks)} acks answered")
        say(f"messages: {v.sends_acked} sends acked, {v.delivered} delivered "
            f"({v.duplicates} deliveries again before an ack, allowed), "
            f"{v.unknown_delivered} with an unknown outcome delivered anyway")
        if v.lost:
            say(f"LOST (first 20): {' '.join(v.lost[:20])}"
                + ("" if self.drained else " -- the queue was NOT drained: acknowledged, not delivered "
                   "yet; without a drain this is no evidence of loss"))
        if v.redelivered:
            say("REDELIVERED AFTER ACK (first 10): " + "; ".join(
                f"{m} acked at {a - T0:.2f} s, pulled again by a pull sent at {p - T0:.2f} s"
                for m, a, p in v.redelivered[:10]))
        if v.minority:
            say("MINORITY WRITES (first 10): " + "; ".join(
                f"{k} on node {n} sent {a - T0:.2f} s answered {b - T0:.2f} s"
                for k, n, a, b in v.minority[:10]))
        if v.stale_pulls:
            say(f"pulls the isolated node answered with messages (before it stepped down; "
                f"leases are not waited for, so this is redelivery, not loss): "
                f"{len(v.stale_pulls)}, {sum(n for *_, n in v.stale_pulls)} messages")
        if v.unexpected:
            say(f"UNEXPECTED bodies (first 20): {' '.join(map(str, v.unexpected[:20]))}")
            self.problems.append("bodies that no send carried were delivered")
        if self.load_errors:
            say(f"load errors (4xx, not retried; first 5 of {len(self.load_errors)}): "
                + " | ".join(self.load_errors[:5]))
            self.problems.append("requests answered with a 4xx")
        if self.faults and self.faults.exits:
            self.problems.append(f"{len(self.faults.exits)} unexpected node exits")
        for p in self.problems:
            say(f"problem: {p}")
        say(f"seed {self.seed}; work dir {self.work}")
        print(f"cluster faults: kills {kills}, sends acked {v.sends_acked}, lost {len(v.lost)}, "
              f"redelivered after ack {len(v.redelivered)}, minority writes {len(v.minority)}",
              flush=True)
        return v.ok() and not self.problems

    def cleanup(self, ok):
        for x in self.nodes:
            x.kill()
        if self.net:
            self.net.teardown()
        if ok and not self.args.keep:
            shutil.rmtree(self.work, ignore_errors=True)
        else:
            print(f"kept {self.work} (node logs node*.log, data dirs node*)", file=sys.stderr)


def interrupted(*_):
    raise KeyboardInterrupt()


def main(argv):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, interrupted)
    run = Run(args)
    ok = False
    try:
        run.setup_nodes()
        run.start()
        run.run()
        ok = True
    except (HarnessError, RuntimeError) as e:
        say(f"harness stopped: {e}")
        run.problems.append(str(e).splitlines()[0])
    except KeyboardInterrupt:
        say("interrupted")
        run.problems.append("interrupted")
    finally:
        try:
            ok = run.report() and ok
        finally:
            run.cleanup(ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
