#!/usr/bin/env python3
"""Bounded kill -9 cycle test for Sluice (a long fault run, not part of the test suite).

Usage:
    scripts/crash_loop.py SLUICE_BIN [--cycles 20] [--seconds-per-cycle 5]
                          [--senders 8] [--consumers 2]

Starts `SLUICE_BIN serve` on a fresh temp data dir and a free loopback port, creates
one queue, and runs sender threads (batches of 10 text messages, each body unique)
and consumer threads (pull, ack) against it. Each cycle lets the load run for
--seconds-per-cycle, SIGKILLs the server while requests are in flight and restarts it
on the same data dir. After the last cycle the senders stop, the consumers drain the
queue and the server gets SIGTERM.

What it checks:
  * lost: a send answered 200 (durable) whose body was never received; must be none.
  * unexpected: a received body that was never sent; must be none.
It also reports duplicates (allowed by at-least-once), messages of batches with an
unknown outcome (connection error, non-200) that did arrive, messages received again
after an ack answered 200 for them, and the restart times (spawn to `listening on`).

Exit status 0 if nothing was lost and nothing unexpected arrived, 1 otherwise. The temp
dir (data, server.log) is removed on success and kept, with its path printed, on failure.
"""

import argparse
import collections
import http.client
import json
import os
import queue
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ACCOUNT = "crashloop"
QUEUE_NAME = "crash"
BATCH_SIZE = 10
PULL_BATCH = 100
VISIBILITY_MS = 5000
REQUEST_TIMEOUT_S = 10.0
RETRY_PAUSE_S = 0.1
IDLE_PAUSE_S = 0.05
START_TIMEOUT_S = 60.0
DRAIN_TIMEOUT_S = 120.0
DRAIN_QUIET_S = 3.0
STOP_TIMEOUT_S = 30.0
LISTENING = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")
LOG_PROBLEM = re.compile(r"\[(warning|error|critical)\]")


def free_port():
    """A loopback port that was free a moment ago (the server sets SO_REUSEADDR)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The sluice process: started, killed and restarted on one data dir and port."""

    def __init__(self, binary, work_dir, port, token):
        self.binary = binary
        self.data_dir = os.path.join(work_dir, "data")
        self.log_path = os.path.join(work_dir, "server.log")
        self.port = port
        self.env = dict(os.environ, SLUICE_BOOTSTRAP_TOKEN=token)
        self.proc = None

    def start(self):
        """Spawns the server, waits for `listening on`; returns the time that took in ms."""
        began = time.monotonic()
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [self.binary, "serve", "--listen", f"127.0.0.1:{self.port}",
                 "--data-dir", self.data_dir],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                env=self.env, text=True)
        lines = queue.Queue()
        threading.Thread(target=self._read_stdout, args=(self.proc, lines), daemon=True).start()
        self._await_listening(lines, began + START_TIMEOUT_S)
        return (time.monotonic() - began) * 1000.0

    @staticmethod
    def _read_stdout(proc, lines):
        """Forwards the server's stdout lines until it closes (None marks the end)."""
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    def _await_listening(self, lines, deadline):
        """Reads stdout lines until `listening on`; raises on exit or after the deadline."""
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise RuntimeError(f"server printed no 'listening on' in {START_TIMEOUT_S:.0f} s")
            if line is None:
                raise RuntimeError(f"server exited with {self.proc.wait()} before listening")
            if LISTENING.search(line):
                return

    def kill(self):
        """SIGKILL, then waits for the process to be gone."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def terminate(self):
        """SIGTERM and waits for a clean stop; returns the exit status (None: had to kill)."""
        self.proc.terminate()
        try:
            return self.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()
            return None


class Api:
    """One keep-alive HTTP connection to the account's API; reconnects after a failure."""

    def __init__(self, port, token):
        self.port = port
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.conn = None

    def call(self, method, path, body=None):
        """Returns (status, parsed JSON); (None, None) if no answer came."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                   timeout=REQUEST_TIMEOUT_S)
        data = None if body is None else json.dumps(body)
        try:
            self.conn.request(method, f"/client/v4/accounts/{ACCOUNT}{path}", body=data,
                              headers=self.headers)
            resp = self.conn.getresponse()
            raw = resp.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            return None, None
        try:
            return resp.status, json.loads(raw)
        except ValueError:
            return resp.status, None


class Ledger:
    """What the threads saw, shared between them."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sent = set()
        self.maybe = set()
        self.unknown_batches = 0
        self.received = collections.Counter()
        self.arrivals = 0
        self.acked = set()
        self.after_ack = 0

    def record_send(self, bodies, durable):
        with self.lock:
            if durable:
                self.sent.update(bodies)
            else:
                self.maybe.update(bodies)
                self.unknown_batches += 1

    def record_received(self, bodies):
        with self.lock:
            self.received.update(bodies)
            self.arrivals += len(bodies)
            self.after_ack += sum(1 for b in bodies if b in self.acked)

    def record_acked(self, bodies):
        with self.lock:
            self.acked.update(bodies)

    def counts(self):
        """(acknowledged sends, distinct bodies received, deliveries) so far."""
        with self.lock:
            return len(self.sent), len(self.received), self.arrivals


def send_loop(api, queue_id, index, ledger, stop):
    """Sends batches of unique bodies `s{index}-{n}` until `stop` is set."""
    counter = 0
    while not stop.is_set():
        bodies = [f"s{index}-{counter + i}" for i in range(BATCH_SIZE)]
        counter += BATCH_SIZE
        status, _ = api.call("POST", f"/queues/{queue_id}/messages/batch",
                             {"messages": [{"body": b, "content_type": "text"} for b in bodies]})
        ledger.record_send(bodies, status == 200)
        if status != 200:
            time.sleep(RETRY_PAUSE_S)


def consume_loop(api, queue_id, ledger, stop):
    """Pulls and acks until `stop` is set."""
    while not stop.is_set():
        status, payload = api.call("POST", f"/queues/{queue_id}/messages/pull",
                                   {"batch_size": PULL_BATCH,
                                    "visibility_timeout_ms": VISIBILITY_MS})
        if status != 200:
            time.sleep(RETRY_PAUSE_S)
            continue
        messages = payload["result"]["messages"]
        if not messages:
            time.sleep(IDLE_PAUSE_S)
            continue
        ledger.record_received([m["body"] for m in messages])
        ack_messages(api, queue_id, messages, ledger)


def ack_messages(api, queue_id, messages, ledger):
    """Acks `messages`; records as acked those the server took (200, no warning)."""
    status, payload = api.call("POST", f"/queues/{queue_id}/messages/ack",
                               {"acks": [{"lease_id": m["lease_id"]} for m in messages],
                                "retries": []})
    if status != 200:
        return
    warned = payload["result"]["warnings"]
    ledger.record_acked([m["body"] for m in messages if m["lease_id"] not in warned])


def create_queue(api):
    """Creates the test queue (the data dir is fresh) and returns its id."""
    status, payload = api.call("POST", "/queues", {"queue_name": QUEUE_NAME})
    if status != 200:
        raise RuntimeError(f"creating the queue failed: {status} {payload}")
    return payload["result"]["queue_id"]


def backlog(api, queue_id):
    """The queue's backlog_count, or None if the server did not answer."""
    status, payload = api.call("GET", f"/queues/{queue_id}/metrics")
    return payload["result"]["backlog_count"] if status == 200 else None


def start_threads(target, arg_tuples):
    """One daemon thread per argument tuple, started (daemon: a failed run does not hang)."""
    threads = [threading.Thread(target=target, args=a, daemon=True) for a in arg_tuples]
    for t in threads:
        t.start()
    return threads


def run_cycles(server, cycles, seconds, ledger):
    """Kill -9 and restart `cycles` times under load; returns the restart times in ms."""
    restarts = []
    for cycle in range(1, cycles + 1):
        time.sleep(seconds)
        server.kill()
        restarts.append(server.start())
        sent, received, _ = ledger.counts()
        print(f"cycle {cycle:3d}: acknowledged sends {sent:8d}  received {received:8d}  "
              f"restart {restarts[-1]:7.1f} ms", flush=True)
    return restarts


def drain(api, queue_id, ledger):
    """Waits until the backlog is 0 and nothing new arrived for a while; False on timeout."""
    deadline = time.monotonic() + DRAIN_TIMEOUT_S
    last = ledger.counts()[2]
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = ledger.counts()[2]
        if now != last:
            last, quiet_since = now, time.monotonic()
        if backlog(api, queue_id) == 0 and time.monotonic() - quiet_since >= DRAIN_QUIET_S:
            return True
    return False


def log_problems(log_path):
    """Warning/error lines of the server log, with how often each occurred."""
    seen = collections.Counter()
    with open(log_path, errors="replace") as log:
        for line in log:
            if LOG_PROBLEM.search(line):
                seen[re.sub(r"^\[[^]]*\] ", "", line.strip())] += 1
    return seen


def report(ledger, cycles, restarts, drained, stop_status, problems):
    """Prints the summary; returns True if nothing was lost and nothing unexpected arrived."""
    received = set(ledger.received)
    lost = ledger.sent - received
    unexpected = received - ledger.sent - ledger.maybe
    duplicates = sum(1 for n in ledger.received.values() if n > 1)
    print("--- summary ---")
    print(f"cycles                      {cycles}")
    print(f"acknowledged sends          {len(ledger.sent)}")
    print(f"received distinct           {len(received)}")
    print(f"received total              {ledger.arrivals}")
    print(f"lost                        {len(lost)}")
    print(f"unexpected                  {len(unexpected)}")
    print(f"duplicates                  {duplicates}")
    print(f"received again after ack    {ledger.after_ack}")
    print(f"acked distinct              {len(ledger.acked)}")
    print(f"unknown-outcome batches     {ledger.unknown_batches} "
          f"({len(ledger.maybe)} messages, {len(ledger.maybe & received)} arrived)")
    if restarts:
        print(f"restart ms mean / max       {statistics.mean(restarts):.1f} / {max(restarts):.1f}")
    print(f"drained                     {'yes' if drained else f'no (gave up after {DRAIN_TIMEOUT_S:.0f} s)'}")
    print(f"exit status after SIGTERM   {stop_status if stop_status is not None else 'none (killed)'}")
    print(f"server log warnings/errors  {sum(problems.values())}")
    for line, n in problems.most_common(10):
        print(f"  {n:6d} x {line}")
    for name, bodies in (("lost", lost), ("unexpected", unexpected)):
        if bodies:
            print(f"{name} (first 20): {' '.join(sorted(bodies)[:20])}")
    return not lost and not unexpected


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("sluice_bin", metavar="SLUICE_BIN")
    p.add_argument("--cycles", type=int, default=20)
    p.add_argument("--seconds-per-cycle", type=float, default=5.0)
    p.add_argument("--senders", type=int, default=8)
    p.add_argument("--consumers", type=int, default=2)
    return p.parse_args()


def main():
    args = parse_args()
    work_dir = tempfile.mkdtemp(prefix="sluice-crash-loop-")
    token = secrets.token_hex(20)
    port = free_port()
    server = Server(os.path.abspath(args.sluice_bin), work_dir, port, token)
    ledger = Ledger()
    ok = False
    try:
        print(f"first start {server.start():.1f} ms on port {port}, data in {work_dir}", flush=True)
        api = Api(port, token)
        queue_id = create_queue(api)
        stop_senders, stop_consumers = threading.Event(), threading.Event()
        senders = start_threads(send_loop, [(Api(port, token), queue_id, i, ledger, stop_senders)
                                            for i in range(args.senders)])
        consumers = start_threads(consume_loop, [(Api(port, token), queue_id, ledger, stop_consumers)
                                                 for _ in range(args.consumers)])
        restarts = run_cycles(server, args.cycles, args.seconds_per_cycle, ledger)
        stop_senders.set()
        for t in senders:
            t.join()
        drained = drain(api, queue_id, ledger)
        stop_consumers.set()
        for t in consumers:
            t.join()
        stop_status = server.terminate()
        ok = report(ledger, args.cycles, restarts, drained, stop_status,
                    log_problems(server.log_path))
    finally:
        if server.proc is not None and server.proc.poll() is None:
            server.kill()
        if ok:
            shutil.rmtree(work_dir)
        else:
            print(f"check failed; kept {work_dir}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
