"""The `sluice serve` processes of the run: started, killed (SIGKILL), stopped
(SIGTERM) and restarted on the same data dir and ports, and what /cluster says."""
import os
import queue
import re
import signal
import socket
import subprocess
import threading
import time

LISTENING = re.compile(r"listening on http://[^:]+:(\d+)")


def free_port_pair():
    """A loopback port P with P+1 also free a moment ago (raft and forwarding)."""
    for _ in range(200):
        with socket.socket() as a:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
            if port >= 65535:
                continue
            with socket.socket() as b:
                try:
                    b.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
        return port
    raise RuntimeError("no two consecutive free loopback ports")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """One node: id `node_id` (1-based), its data dir, log file and addresses.
    `argv_prefix(argv)` wraps the command (e.g. into a network namespace)."""

    def __init__(self, binary, node_id, work_dir, http_host, http_port, raft_host, raft_port,
                 wrap, extra_flags=()):
        self.binary = binary
        self.id = node_id
        self.data_dir = os.path.join(work_dir, f"node{node_id}")
        self.log_path = os.path.join(work_dir, f"node{node_id}.log")
        self.http_host, self.http_port = http_host, http_port
        self.raft_host, self.raft_port = raft_host, raft_port
        self.wrap = wrap
        self.extra_flags = list(extra_flags)
        self.members = ""  # --initial-members, set by the cluster
        self.cluster = True
        self.proc = None
        self.starts = 0

    @property
    def raft_address(self):
        return f"{self.raft_host}:{self.raft_port}"

    def argv(self):
        a = [self.binary, "serve", "--data-dir", self.data_dir, "--dev",
             "--listen", f"{self.http_host}:{self.http_port}", *self.extra_flags]
        if self.cluster:
            a += ["--node-id", str(self.id), "--raft-listen", self.raft_address,
                  "--initial-members", self.members]
        return self.wrap(self.id, a)

    def start(self, timeout):
        """Spawns the node and waits for `listening on`; returns the seconds it took.
        Raises RuntimeError (with the log's tail) if it exits or times out."""
        began = time.monotonic()
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(f"=== start {self.starts}: {' '.join(self.argv())}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=log, text=True)
        lines = queue.Queue()
        threading.Thread(target=_forward_lines, args=(self.proc, lines), daemon=True).start()
        deadline = began + timeout
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.kill()
                raise RuntimeError(f"node {self.id} printed no 'listening on' in {timeout:.0f} s; "
                                   f"log tail:\n{self.log_tail()}")
            if line is None:
                code = self.proc.wait()
                raise RuntimeError(f"node {self.id} exited with {code} before listening; "
                                   f"log tail:\n{self.log_tail()}")
            m = LISTENING.search(line)
            if m:
                self.http_port = int(m.group(1))
                return time.monotonic() - began

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def exit_code(self):
        return None if self.proc is None else self.proc.poll()

    def kill(self):
        """SIGKILL and wait until it is gone."""
        if self.running():
            os.kill(self.proc.pid, signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait()

    def terminate(self, timeout):
        """SIGTERM; returns the exit status, or None if it had to be killed."""
        if not self.running():
            return self.exit_code()
        self.proc.terminate()
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def log_tail(self, lines=15):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""


def _forward_lines(proc, lines):
    for line in proc.stdout:
        lines.put(line)
    lines.put(None)


class Cluster:
    """The nodes and their /cluster view, asked through `client` (one per thread
    that uses it)."""

    def __init__(self, nodes, client, log):
        self.nodes = nodes
        self.client = client
        self.log = log

    def node(self, node_id):
        return self.nodes[node_id - 1]

    def status(self, node, timeout=5.0):
        """GET /client/v4/cluster of `node` (its result dict), or None."""
        if len(self.nodes) == 1:  # a single node: it leads while it answers
            a = self.client.call(node.id, "GET", "/queues", timeout=timeout)
            return ({"node_id": node.id, "role": "leader", "term": 0, "leader": {"id": node.id},
                     "applied_index": 0, "commit_index": 0, "last_index": 0}
                    if a.status == 200 else None)
        a = self.client.call(node.id, "GET", "/cluster", account=False, timeout=timeout)
        return a.result if a.ok else None

    def statuses(self, exclude=()):
        return {n.id: self.status(n) for n in self.nodes if n.running() and n.id not in exclude}

    def leader(self, exclude=()):
        """The running node that says it leads (highest term wins), or None."""
        best = None
        for nid, s in self.statuses(exclude).items():
            if s and s.get("role") == "leader" and (best is None or s["term"] > best[1]):
                best = (nid, s["term"])
        return self.node(best[0]) if best else None

    def wait_leader(self, timeout, exclude=()):
        """Polls until a running node (not in `exclude`) leads; None after `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            n = self.leader(exclude)
            if n is not None:
                return n
            time.sleep(0.1)
        return None

    def wait_joined(self, node, timeout):
        """Until `node` answers /cluster as a follower or leader that knows a leader."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and node.running():
            s = self.status(node)
            if s and s.get("role") in ("leader", "follower") and s.get("leader"):
                return s
            time.sleep(0.2)
        return None

    def wait_converged(self, timeout):
        """Until every running node has applied the same index as the leader's
        commit index; returns {id: applied_index} of the last poll and whether
        they converged."""
        deadline = time.monotonic() + timeout
        last = {}
        while time.monotonic() < deadline:
            st = self.statuses()
            last = {nid: (s or {}).get("applied_index") for nid, s in st.items()}
            values = set(last.values())
            if None not in values and len(values) == 1:
                return last, True
            time.sleep(0.3)
        return last, False
