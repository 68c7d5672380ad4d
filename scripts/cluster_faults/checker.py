"""What the run proves, computed from the event log alone (no I/O), so that it can
be tested on synthetic logs (test_checker.py).

Events (dicts; times are one process's monotonic clock, t0 sent, t1 answered):
  send  {node, t0, t1, status, ids}        ids: the harness ids in the bodies
  pull  {node, t0, t1, status, msgs}       msgs: [(message_id, harness_id, lease_id)]
  ack   {node, t0, t1, status, acked}      acked: [(message_id, lease_id)] taken without warning
  fault {what, node, t, ...}               kill_leader, kill_follower, restart, isolate, heal
Isolation windows: [(node, start, end)]: node cut off from its peers in [start, end)."""
from collections import defaultdict

DISRUPTIONS = ("kill_leader", "kill_follower", "long_log", "isolate")


class Verdict:
    """The counts of the last line and the details behind them."""

    def __init__(self):
        self.sends_acked = 0        # distinct ids whose send was answered 200
        self.lost = []              # ids answered 200, never pulled
        self.redelivered = []       # (message_id, ack answered at, pull sent at)
        self.minority = []          # (kind, node, t0, t1): a send or ack answered 200 while isolated
        # (node, t0, t1, messages): pulls the isolated node answered with messages. Not
        # counted as minority writes: a lease is stored in the background and a lost one
        # only means redelivery (at least once); a stale pull that returns a message
        # already acked elsewhere shows up as `redelivered`.
        self.stale_pulls = []
        self.unexpected = []        # ids pulled that no send carried
        self.delivered = 0          # distinct ids pulled
        self.duplicates = 0         # deliveries beyond the first of each message id
        self.unknown_outcome = 0    # send attempts answered neither 200 nor 4xx
        self.unknown_delivered = 0  # ids never answered 200 that were pulled anyway

    def ok(self):
        return not (self.lost or self.redelivered or self.minority or self.unexpected)


def _is_write(e):
    """A 200 that may only follow a committed write: a send, or an ack that took
    some lease. (A pull's lease is stored in the background, never waited for:
    see `stale_pulls`.)"""
    if e["status"] != 200:
        return False
    if e["kind"] == "send":
        return True
    if e["kind"] == "ack":
        return bool(e["acked"])
    return False


def check(events, isolation_windows):
    v = Verdict()
    sent_any, acked_sends = set(), set()
    for e in events:
        if e["kind"] != "send":
            continue
        sent_any.update(e["ids"])
        if e["status"] == 200:
            acked_sends.update(e["ids"])
        elif e["status"] is None or e["status"] >= 500 or e["status"] == 429:
            v.unknown_outcome += 1
    v.sends_acked = len(acked_sends)

    delivered = set()
    deliveries = defaultdict(int)
    for e in events:
        if e["kind"] == "pull" and e["status"] == 200:
            for mid, hid, _ in e["msgs"]:
                delivered.add(hid)
                deliveries[mid] += 1
    v.delivered = len(delivered)
    v.duplicates = sum(n - 1 for n in deliveries.values())
    v.lost = sorted(acked_sends - delivered)
    v.unexpected = sorted(h for h in delivered - sent_any if h is not None) + (
        ["<a body without a harness id>"] if None in delivered else [])
    v.unknown_delivered = len((delivered & sent_any) - acked_sends)

    # The earliest answered 200 ack of each message id.
    acked_at = {}
    for e in events:
        if e["kind"] == "ack" and e["status"] == 200:
            for mid, _ in e["acked"]:
                if mid not in acked_at or e["t1"] < acked_at[mid]:
                    acked_at[mid] = e["t1"]
    for e in events:
        if e["kind"] == "pull" and e["status"] == 200:
            for mid, _, _ in e["msgs"]:
                if mid in acked_at and e["t0"] > acked_at[mid]:
                    v.redelivered.append((mid, acked_at[mid], e["t0"]))

    for node, start, end in isolation_windows:
        for e in events:
            if e["kind"] == "fault" or e["node"] != node or e["t0"] < start or e["t1"] >= end:
                continue
            if e["kind"] in ("send", "ack") and _is_write(e):
                v.minority.append((e["kind"], node, e["t0"], e["t1"]))
            elif e["kind"] == "pull" and e["status"] == 200 and e["msgs"]:
                v.stale_pulls.append((node, e["t0"], e["t1"], len(e["msgs"])))
    return v


def failover_times(events):
    """For each leader kill: seconds from the kill to the first 200 answer to a send
    sent after it by another node (None if there was none before the next kill or
    isolation; restarts and heals do not end the wait)."""
    faults = sorted((e for e in events if e["kind"] == "fault" and e["what"] in DISRUPTIONS),
                    key=lambda e: e["t"])
    sends = sorted((e for e in events if e["kind"] == "send" and e["status"] == 200),
                   key=lambda e: e["t1"])
    out = []
    for i, f in enumerate(faults):
        if f["what"] != "kill_leader":
            continue
        until = faults[i + 1]["t"] if i + 1 < len(faults) else float("inf")
        first = next((s for s in sends if s["t0"] >= f["t"] and s["node"] != f["node"]
                      and s["t1"] < until), None)
        out.append((f["node"], None if first is None else first["t1"] - f["t"]))
    return out
