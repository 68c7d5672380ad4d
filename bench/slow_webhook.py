#!/usr/bin/env python3
"""Push delivery to a slow webhook (docs/benchmarks.md, "Slow webhooks"): a real HTTP
receiver in this process answers every POST after --delay seconds (default 1), one
thread per request, and counts the requests it holds at once, overall and per queue.
A fresh `sluice serve` (default --plugin-threads 8) gets the built-in webhook pointed at
it, queues are preloaded, then worker consumers (batch_size 100, max_wait 0) drain them.

Two runs, each on a fresh server: one queue, then ten queues at once. Every --every
seconds it prints the batches in flight at the receiver and the messages answered per
second; at the end the peak in flight and msgs/s over the last --window seconds, per
queue for the ten-queue run (no queue may starve).

usage: bench/slow_webhook.py SLUICE_BIN [--seconds 90] [--ten-seconds 90]
       [--prefill-one 2000000] [--prefill-each 600000] [--delay 1.0] [--only one|ten]
       [--shard-window N] [--server-log FILE]

--shard-window is passed to `sluice serve` (default: the server's, 10000): a storage
shard keeps its leased messages in that window, so it bounds the batches in flight per
queue (docs/benchmarks.md, "Slow webhooks"). --server-log keeps the server's log.
"""
import argparse, collections, http.server, json, shutil, signal, socketserver
import subprocess, tempfile, threading, time

from sluice_process import api, start

TOKEN = "slow-webhook-token"


class Receiver:
    """The slow receiver: answers 200 after `delay` s; counts in-flight requests and
    answered messages, overall and per queue (from the posted body's "queue")."""

    def __init__(self, delay):
        self.delay = delay
        self.lock = threading.Lock()
        self.in_flight = collections.Counter()
        self.peak = collections.Counter()
        self.answered = collections.Counter()  # messages, per queue
        self.total_in_flight = 0
        self.total_peak = 0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                doc = json.loads(body)
                queue, n = doc["queue"], len(doc["messages"])
                with receiver.lock:
                    receiver.in_flight[queue] += 1
                    receiver.peak[queue] = max(receiver.peak[queue], receiver.in_flight[queue])
                    receiver.total_in_flight += 1
                    receiver.total_peak = max(receiver.total_peak, receiver.total_in_flight)
                time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.in_flight[queue] -= 1
                    receiver.total_in_flight -= 1
                    receiver.answered[queue] += n
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            request_queue_size = 4096  # a burst of connections must not be dropped

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def snapshot(self):
        with self.lock:
            return (self.total_in_flight, dict(self.in_flight), dict(self.answered))

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def prefill(call, qid, n):
    batch = {"messages": [{"body": "m" * 16, "content_type": "text"}] * 100}
    for _ in range(n // 100):
        call("POST", f"/queues/{qid}/messages/batch", batch)


def run(binary, names, prefill_each, seconds, args):
    receiver = Receiver(args.delay)
    data = tempfile.mkdtemp(prefix="sluice-slow-webhook-")
    flags = ["--plugin-threads", str(args.plugin_threads)]
    if args.shard_window:
        flags += ["--shard-window", str(args.shard_window)]
    log = open(args.server_log, "a") if args.server_log else None
    proc, port = start(binary, data, TOKEN, flags, log)
    call = api(port, TOKEN, "slow", timeout=60)
    try:
        call("PUT", "/sluice/scripts/slow-hook",
             {"plugin": "webhook", "env": {"URL": f"http://127.0.0.1:{receiver.port}/hook"}})
        qids = {}
        t0 = time.time()
        for name in names:
            qids[name] = call("POST", "/queues", {"queue_name": name})["queue_id"]
            prefill(call, qids[name], prefill_each)
        print(f"  preloaded {len(names)} x {prefill_each} messages in {time.time() - t0:.1f} s",
              flush=True)
        for name in names:
            call("POST", f"/queues/{qids[name]}/consumers",
                 {"type": "worker", "script_name": "slow-hook",
                  "settings": {"batch_size": 100, "max_wait_time_ms": 0}})
        start_t = time.time()
        history = [(0.0, {})]  # (t, answered per queue)
        next_print = args.every
        while time.time() - start_t < seconds:
            time.sleep(0.5)
            t = time.time() - start_t
            flying, per_queue, answered = receiver.snapshot()
            history.append((t, answered))
            if t >= next_print:
                next_print += args.every
                back = [h for h in history if h[0] <= t - args.every] or [history[0]]
                t_b, a_b = back[-1]
                rate = (sum(answered.values()) - sum(a_b.values())) / (t - t_b)
                print(f"  t={t:5.0f} s  batches in flight {flying:4d}  msgs/s {rate:8.0f}"
                      + (f"  (per queue in flight: min {min(per_queue.get(n, 0) for n in names)}"
                         f" max {max(per_queue.get(n, 0) for n in names)})" if len(names) > 1
                         else ""), flush=True)
        t_end, a_end = history[-1]
        back = [h for h in history if h[0] <= t_end - args.window] or [history[0]]
        t_w, a_w = back[-1]
        span = t_end - t_w
        total = sum(a_end.values()) - sum(a_w.values())
        print(f"  peak batches in flight: {receiver.total_peak}"
              f"  msgs/s over the last {span:.0f} s: {total / span:.0f}")
        if len(names) > 1:
            rates = {n: (a_end.get(n, 0) - a_w.get(n, 0)) / span for n in names}
            for n in names:
                print(f"    {n}: msgs/s {rates[n]:7.0f}  peak in flight {receiver.peak[n]:4d}"
                      f"  answered {a_end.get(n, 0)}")
            print(f"  per-queue msgs/s: min {min(rates.values()):.0f}"
                  f"  max {max(rates.values()):.0f}")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=args.stop_seconds)
        except subprocess.TimeoutExpired:
            print(f"  warning: the server did not stop within {args.stop_seconds:.0f} s of "
                  f"SIGTERM (pid {proc.pid}); killed", flush=True)
            proc.kill()
            proc.wait()
        receiver.stop()
        shutil.rmtree(data)
        if log:
            log.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("binary")
    p.add_argument("--seconds", type=float, default=90)
    p.add_argument("--ten-seconds", type=float, default=90)
    p.add_argument("--prefill-one", type=int, default=2_000_000)
    p.add_argument("--prefill-each", type=int, default=600_000)
    p.add_argument("--delay", type=float, default=1.0)
    p.add_argument("--plugin-threads", type=int, default=8)
    p.add_argument("--every", type=float, default=10)
    p.add_argument("--window", type=float, default=30)
    p.add_argument("--only", choices=["one", "ten"])
    p.add_argument("--stop-seconds", type=float, default=120)
    p.add_argument("--shard-window", type=int)
    p.add_argument("--server-log")
    args = p.parse_args()
    if args.only != "ten":
        print(f"one queue, webhook answering after {args.delay} s, "
              f"--plugin-threads {args.plugin_threads}:", flush=True)
        run(args.binary, ["q0"], args.prefill_one, args.seconds, args)
    if args.only != "one":
        print(f"ten queues, webhook answering after {args.delay} s, "
              f"--plugin-threads {args.plugin_threads}:", flush=True)
        run(args.binary, [f"q{i}" for i in range(10)], args.prefill_each, args.ten_seconds, args)


main()
