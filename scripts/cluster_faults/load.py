"""The load: sender threads (single sends and batches with unique bodies) and
consumer threads (pull with a lease, then ack) against random nodes, recording
every request in the event log for the checker (checker.py)."""
import random
import threading
import time

from api import Client

VISIBILITY_MS = 8000
RETRY_PAUSE_S = (0.05, 0.3)


class EventLog:
    """Every request and fault of the run, appended by many threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.events = []

    def add(self, **event):
        with self.lock:
            self.events.append(event)

    def snapshot(self):
        with self.lock:
            return list(self.events)


def body_of(msg_id):
    return f"fault-msg {msg_id} " + "x" * 64


def id_of(body):
    """The harness id carried by a body, or None if it is not ours."""
    parts = body.split(" ") if isinstance(body, str) else []
    return parts[1] if len(parts) >= 2 and parts[0] == "fault-msg" else None


def retryable(a):
    """No answer, 503 (no leader / minority / unknown outcome), 429 or another 5xx."""
    return a.status is None or a.status == 429 or a.status >= 500


class Sender(threading.Thread):
    """Sends until `stop`: singles and batches (1–20) of new ids `s<k>-<n>`, each
    retried (same ids) on another random node until answered 200 or a 4xx."""

    def __init__(self, k, queue_id, nodes, endpoint, log, stop, timeout, rng):
        super().__init__(daemon=True, name=f"sender{k}")
        self.k, self.queue_id, self.nodes, self.log, self.stop = k, queue_id, nodes, log, stop
        self.client = Client(endpoint, timeout)
        self.rng = rng
        self.n = 0
        self.errors = []

    def new_ids(self, count):
        ids = [f"s{self.k}-{self.n + i}" for i in range(count)]
        self.n += count
        return ids

    def run(self):
        while not self.stop.is_set():
            single = self.rng.random() < 0.4
            ids = self.new_ids(1 if single else self.rng.randint(2, 20))
            attempt = 0
            while not self.stop.is_set():
                node = self.rng.choice(self.nodes)
                if single:
                    a = self.client.call(node, "POST", f"/queues/{self.queue_id}/messages",
                                         {"body": body_of(ids[0]), "content_type": "text"})
                else:
                    a = self.client.call(node, "POST", f"/queues/{self.queue_id}/messages/batch",
                                         {"messages": [{"body": body_of(i), "content_type": "text"}
                                                       for i in ids]})
                self.log.add(kind="send", node=node, t0=a.t0, t1=a.t1, status=a.status,
                             ids=ids, attempt=attempt)
                attempt += 1
                if a.status == 200 or not retryable(a):
                    if a.status != 200:
                        self.errors.append(f"send {a.status}: {a.message()}")
                    break
                time.sleep(self.rng.uniform(*RETRY_PAUSE_S))
        self.client.close()


class Consumer(threading.Thread):
    """Pulls (lease `VISIBILITY_MS`) from a random node and acks every lease on a
    random node (retried a few times on 503); until `stop`."""

    def __init__(self, k, queue_id, nodes, endpoint, log, stop, timeout, rng):
        super().__init__(daemon=True, name=f"consumer{k}")
        self.k, self.queue_id, self.nodes, self.log, self.stop = k, queue_id, nodes, log, stop
        self.client = Client(endpoint, timeout)
        self.rng = rng
        self.pulled = 0
        self.errors = []

    def run(self):
        while not self.stop.is_set():
            node = self.rng.choice(self.nodes)
            a = self.client.call(node, "POST", f"/queues/{self.queue_id}/messages/pull",
                                 {"batch_size": self.rng.choice((5, 20, 50)),
                                  "visibility_timeout_ms": VISIBILITY_MS})
            msgs = []
            if a.ok:
                msgs = [(m["id"], id_of(m["body"]), m["lease_id"]) for m in a.result["messages"]]
            elif not retryable(a):
                self.errors.append(f"pull {a.status}: {a.message()}")
            self.log.add(kind="pull", node=node, t0=a.t0, t1=a.t1, status=a.status, msgs=msgs)
            if not a.ok:
                time.sleep(self.rng.uniform(*RETRY_PAUSE_S))
                continue
            if not msgs:
                time.sleep(0.05)
                continue
            self.pulled += len(msgs)
            self.ack(msgs)

    def ack(self, msgs):
        leases = {lease: mid for mid, _, lease in msgs}
        for _ in range(4):
            if self.stop.is_set():
                return
            node = self.rng.choice(self.nodes)
            a = self.client.call(node, "POST", f"/queues/{self.queue_id}/messages/ack",
                                 {"acks": [{"lease_id": lease} for lease in leases],
                                  "retries": []})
            acked = []
            if a.ok:
                warned = a.result.get("warnings") or {}
                acked = [(mid, lease) for lease, mid in leases.items() if lease not in warned]
            self.log.add(kind="ack", node=node, t0=a.t0, t1=a.t1, status=a.status, acked=acked,
                         count=(a.result or {}).get("ackCount", 0) if a.ok else 0)
            if a.ok:
                return
            if not retryable(a):
                self.errors.append(f"ack {a.status}: {a.message()}")
                return
            time.sleep(self.rng.uniform(*RETRY_PAUSE_S))
