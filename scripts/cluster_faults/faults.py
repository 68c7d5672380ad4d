"""The fault schedule: kill -9 of the leader, of a follower, a follower kept down
while the leader's log moves on ("long log"), and the leader isolated from its
peers; each node restarted on its own data dir and ports."""
import random
import threading
import time

from api import Client
from load import body_of, retryable

# The first actions cover every kind of fault once; then the cycle repeats.
FIRST = ["kill_leader", "isolate", "kill_leader", "long_log", "kill_follower"]
CYCLE = ["kill_leader", "kill_follower", "kill_leader", "isolate"]
KILLS = {"kill_leader": 1, "kill_follower": 1, "long_log": 1, "isolate": 0}


class HarnessError(RuntimeError):
    """The run cannot go on (no leader, a node that does not start)."""


class Faults:
    """Runs the schedule. `say(text)` prints a timestamped line; `log` is the event log."""

    def __init__(self, cluster, net, log, say, args, endpoint, rng):
        self.cluster, self.net, self.log, self.say, self.args = cluster, net, log, say, args
        self.endpoint, self.rng = endpoint, rng
        self.kills = 0
        self.windows = []       # (node, start, end) of each isolation
        self.elections = []     # seconds from a leader kill to a new leader seen in /cluster
        self.isolations = []    # summaries, printed at the end
        self.long_logs = []
        self.exits = []         # unexpected exits: (node, code, log tail)
        self.expected_up = {n.id for n in cluster.nodes}

    # Helpers
    def fault(self, what, node, **extra):
        self.log.add(kind="fault", what=what, node=node.id, t=time.monotonic(), **extra)

    def leader(self, exclude=()):
        n = self.cluster.wait_leader(self.args.leader_timeout, exclude)
        if n is None:
            raise HarnessError(f"no leader among the running nodes within "
                               f"{self.args.leader_timeout:.0f} s")
        return n

    def kill(self, node, what):
        self.expected_up.discard(node.id)
        t = time.monotonic()
        node.kill()
        self.fault(what, node)
        self.kills += 1
        return t

    def restart(self, node):
        took = node.start(self.args.start_timeout)
        self.expected_up.add(node.id)
        self.fault("restart", node)
        joined = self.cluster.wait_joined(node, self.args.leader_timeout)
        if joined is None:
            why = (f"exited with {node.exit_code()} after its restart" if not node.running()
                   else f"did not rejoin within {self.args.leader_timeout:.0f} s")
            raise HarnessError(f"node {node.id} {why}; log tail:\n{node.log_tail()}")
        return took

    def check_exits(self):
        """Nodes that should run but exited: recorded, then restarted."""
        for n in self.cluster.nodes:
            if n.id in self.expected_up and not n.running():
                self.exits.append((n.id, n.exit_code(), n.log_tail()))
                self.say(f"node {n.id} exited unexpectedly with {n.exit_code()}; log tail:\n"
                         f"{n.log_tail()}")
                self.restart(n)

    def last_index(self, node):
        s = self.cluster.status(node)
        return (s or {}).get("last_index")

    # Actions
    def kill_leader(self):
        if len(self.cluster.nodes) == 1:
            node = self.cluster.nodes[0]
            self.kill(node, "kill_leader")
            time.sleep(self.args.settle)
            took = self.restart(node)
            self.say(f"kill -9 node {node.id} (single node), restarted in {took:.2f} s")
            return
        old = self.leader()
        t = self.kill(old, "kill_leader")
        new = self.leader(exclude=(old.id,))
        elected = time.monotonic() - t
        self.elections.append(elected)
        self.say(f"kill -9 leader node {old.id}: node {new.id} leads after {elected:.2f} s")
        time.sleep(self.args.settle)
        took = self.restart(old)
        self.say(f"restarted node {old.id} ({took:.2f} s to listen), rejoined")

    def kill_follower(self, down=None):
        long_log = down is not None
        leader = self.leader()
        followers = [n for n in self.cluster.nodes if n.running() and n.id != leader.id]
        node = self.rng.choice(followers)
        before = self.last_index(leader)
        self.kill(node, "long_log" if long_log else "kill_follower")
        time.sleep(down if long_log else self.args.settle)
        leader = self.leader()
        after = self.last_index(leader)
        took = self.restart(node)
        caught = self.wait_caught_up(node, leader)
        moved = after - before if None not in (before, after) else None
        text = (f"{'long log: ' if long_log else ''}kill -9 follower node {node.id}, down "
                f"{down if long_log else self.args.settle:.1f} s (leader's log moved "
                f"{moved} entries), restarted in {took:.2f} s, "
                + (f"caught up in {caught:.2f} s" if caught is not None else
                   "did NOT catch up within the timeout"))
        if long_log:
            self.long_logs.append(text)
        self.say(text)

    def long_log(self):
        self.kill_follower(down=self.args.long_log_seconds)

    def wait_caught_up(self, node, leader):
        """Seconds until `node` applied what the leader had committed at the start."""
        began = time.monotonic()
        target = (self.cluster.status(leader) or {}).get("commit_index")
        if target is None:
            return None
        while time.monotonic() - began < self.args.leader_timeout:
            s = self.cluster.status(node)
            if s and (s.get("applied_index") or 0) >= target:
                return time.monotonic() - began
            time.sleep(0.1)
        return None

    def isolate(self):
        if self.net is None:
            return
        old = self.leader()
        self.net.isolate(old.id)
        start = time.monotonic()
        self.fault("isolate", old)
        stop = threading.Event()
        writer = IsolatedWriter(old.id, self.args.queue_id, self.endpoint, self.log, stop,
                                self.args.request_timeout)
        writer.start()
        new = self.leader(exclude=(old.id,))
        elected = time.monotonic() - start
        time.sleep(self.args.isolate_seconds)
        role = (self.cluster.status(old) or {}).get("role")
        end = time.monotonic()
        self.windows.append((old.id, start, end))
        self.net.heal()
        self.fault("heal", old)
        stop.set()
        writer.join()
        joined = self.cluster.wait_joined(old, self.args.leader_timeout)
        text = (f"isolated leader node {old.id} for {end - start:.1f} s: node {new.id} led after "
                f"{elected:.2f} s; node {old.id} said role {role!r} at the end; writes sent to it: "
                f"{writer.sent}, answered 200: {writer.ok}, 503: {writer.refused}, no answer: "
                f"{writer.unanswered}; " + ("rejoined after heal" if joined else
                                             "did NOT rejoin after heal"))
        self.isolations.append(text)
        self.say(text)
        if joined is None:
            raise HarnessError(f"node {old.id} did not rejoin after the heal")

    def run(self, started, stop_load_at):
        """Runs actions until the kills and seconds asked for are done."""
        plan = list(FIRST)
        done = set()
        i = 0
        while True:
            needed = {"isolate", "long_log"} if self.net is not None else {"long_log"}
            if len(self.cluster.nodes) == 1:
                needed = set()
            if self.kills >= self.args.kills and needed <= done:
                break
            if time.monotonic() - started > self.args.max_seconds:
                self.say(f"fault schedule stopped at the time cap ({self.args.max_seconds:.0f} s)")
                break
            action = (plan[i] if i < len(plan) else CYCLE[(i - len(plan)) % len(CYCLE)])
            i += 1
            if len(self.cluster.nodes) == 1 and action != "kill_leader":
                continue
            if action == "isolate" and self.net is None:
                continue
            self.check_exits()
            getattr(self, action)()
            done.add(action)
            time.sleep(self.args.gap)
        self.check_exits()
        while time.monotonic() < stop_load_at:
            time.sleep(0.2)


class IsolatedWriter(threading.Thread):
    """Sends single messages (ids `iso-<n>`) only to the isolated node until `stop`."""

    def __init__(self, node, queue_id, endpoint, log, stop, timeout):
        super().__init__(daemon=True, name="isolated-writer")
        self.node, self.queue_id, self.log, self.stop = node, queue_id, log, stop
        self.client = Client(endpoint, timeout)
        self.sent = self.ok = self.refused = self.unanswered = 0

    def run(self):
        n = 0
        while not self.stop.is_set():
            mid = f"iso{self.node}-{time.monotonic_ns()}-{n}"
            n += 1
            a = self.client.call(self.node, "POST", f"/queues/{self.queue_id}/messages",
                                 {"body": body_of(mid), "content_type": "text"})
            self.log.add(kind="send", node=self.node, t0=a.t0, t1=a.t1, status=a.status,
                         ids=[mid], attempt=0)
            self.sent += 1
            if a.status == 200:
                self.ok += 1
            elif a.status == 503:
                self.refused += 1
            elif a.status is None:
                self.unanswered += 1
            if retryable(a):
                time.sleep(0.1)
        self.client.close()
