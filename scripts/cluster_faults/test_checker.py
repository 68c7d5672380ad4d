"""The checker on synthetic event logs: python3 -m unittest (from this folder)."""
import unittest

from checker import check, failover_times


def send(ids, status=200, node=1, t0=0.0, t1=0.1):
    return dict(kind="send", node=node, t0=t0, t1=t1, status=status, ids=list(ids))


def pull(msgs, status=200, node=1, t0=1.0, t1=1.1):
    return dict(kind="pull", node=node, t0=t0, t1=t1, status=status, msgs=list(msgs))


def ack(acked, status=200, node=1, t0=2.0, t1=2.1):
    return dict(kind="ack", node=node, t0=t0, t1=t1, status=status, acked=list(acked))


class CheckerTest(unittest.TestCase):
    def test_a_clean_run_passes(self):
        v = check([send(["a", "b"]), pull([("m1", "a", "l1"), ("m2", "b", "l2")]),
                   ack([("m1", "l1"), ("m2", "l2")])], [])
        self.assertTrue(v.ok())
        self.assertEqual((v.sends_acked, v.delivered, v.duplicates), (2, 2, 0))

    def test_an_acknowledged_send_never_pulled_is_lost(self):
        v = check([send(["a", "b"]), pull([("m1", "a", "l1")])], [])
        self.assertEqual(v.lost, ["b"])
        self.assertFalse(v.ok())

    def test_an_unanswered_send_never_pulled_is_not_lost(self):
        v = check([send(["a"], status=503), send(["b"], status=None)], [])
        self.assertEqual(v.lost, [])
        self.assertEqual((v.sends_acked, v.unknown_outcome), (0, 2))

    def test_a_retried_send_delivered_once_is_not_lost(self):
        v = check([send(["a"], status=503), send(["a"], t0=0.2, t1=0.3),
                   pull([("m9", "a", "l")])], [])
        self.assertTrue(v.ok())
        self.assertEqual(v.sends_acked, 1)

    def test_a_pull_sent_after_the_ack_was_answered_is_a_redelivery(self):
        v = check([send(["a"]), pull([("m1", "a", "l1")], t0=1.0, t1=1.1),
                   ack([("m1", "l1")], t1=2.1), pull([("m1", "a", "l2")], t0=2.2, t1=2.3)], [])
        self.assertEqual(v.redelivered, [("m1", 2.1, 2.2)])

    def test_a_pull_racing_the_ack_is_not_a_redelivery(self):
        # Sent before the ack's answer came back: the server may have leased it first.
        v = check([send(["a"]), pull([("m1", "a", "l1")]), ack([("m1", "l1")], t0=2.0, t1=2.5),
                   pull([("m1", "a", "l2")], t0=2.4, t1=2.6)], [])
        self.assertTrue(v.ok())
        self.assertEqual(v.duplicates, 1)

    def test_a_failed_or_warned_ack_does_not_count(self):
        v = check([send(["a"]), pull([("m1", "a", "l1")]), ack([("m1", "l1")], status=503),
                   ack([]), pull([("m1", "a", "l2")], t0=3.0, t1=3.1)], [])
        self.assertTrue(v.ok())

    def test_a_duplicate_copy_of_a_retried_send_is_a_different_message(self):
        # The send was stored twice (outcome unknown, retried): two message ids.
        v = check([send(["a"], status=503), send(["a"]), pull([("m1", "a", "l1")]),
                   ack([("m1", "l1")]), pull([("m2", "a", "l2")], t0=3.0, t1=3.1)], [])
        self.assertTrue(v.ok())

    def test_writes_answered_200_by_the_isolated_node_are_minority_writes(self):
        window = [(2, 10.0, 20.0)]
        events = [dict(kind="fault", what="isolate", node=2, t=10.0),
                  send(["a"], node=2, t0=11.0, t1=11.5),             # counted
                  send(["b"], node=2, t0=12.0, t1=12.5, status=503),  # refused: fine
                  send(["c"], node=1, t0=12.0, t1=12.5),              # the majority: fine
                  send(["d"], node=2, t0=9.0, t1=10.5),               # sent before: fine
                  send(["e"], node=2, t0=19.0, t1=21.0),              # answered after heal
                  pull([], node=2, t0=13.0, t1=13.1),                 # empty pull: no write
                  pull([("m", "c", "l")], node=2, t0=14.0, t1=14.1),  # a stale pull
                  ack([], node=2, t0=14.5, t1=14.6),                  # acked nothing
                  ack([("m", "l")], node=2, t0=15.0, t1=15.1)]        # counted
        v = check(events, window)
        self.assertEqual([(k, n) for k, n, _, _ in v.minority], [("send", 2), ("ack", 2)])
        self.assertEqual(v.stale_pulls, [(2, 14.0, 14.1, 1)])

    def test_bodies_that_no_send_carried_are_unexpected(self):
        v = check([send(["a"]), pull([("m1", "a", "l"), ("m2", "zz", "l2")])], [])
        self.assertEqual(v.unexpected, ["zz"])
        self.assertFalse(v.ok())

    def test_failover_is_kill_to_first_200_from_another_node(self):
        events = [dict(kind="fault", what="kill_leader", node=1, t=10.0),
                  send(["a"], node=1, t0=10.1, t1=10.2),                # the killed node
                  send(["b"], node=2, t0=9.0, t1=12.0),                 # sent before the kill
                  send(["c"], node=3, t0=10.5, t1=12.5, status=503),
                  send(["d"], node=3, t0=12.6, t1=12.9),
                  dict(kind="fault", what="restart", node=1, t=15.0),
                  dict(kind="fault", what="kill_leader", node=3, t=20.0)]
        times = failover_times(events)
        self.assertEqual(times[0][0], 1)
        self.assertAlmostEqual(times[0][1], 2.9)
        self.assertEqual(times[1], (3, None))


if __name__ == "__main__":
    unittest.main()
