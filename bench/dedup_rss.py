#!/usr/bin/env python3
"""Sends N messages with N distinct dedup ids (batches of 100, 256-byte text
bodies) to one queue of a fresh Sluice server and prints the server's RSS before,
while and after, then after a restart; then repeats the first 10,000 ids to show
they are still remembered (nothing more stored). With --baseline it first does
the same without dedup ids on another fresh server, so the difference is what
remembering the ids costs (docs/benchmarks.md, "Dedup memory").

usage: bench/dedup_rss.py SLUICE_BIN [N] [--baseline]
"""
import http.client, json, shutil, signal, sys, tempfile, time

from sluice_process import rss_mb, start

TOKEN = "dedup-token"
HDR = {"authorization": "Bearer " + TOKEN, "content-type": "application/json"}

def call(c, method, path, body=None):
    c.request(method, "/client/v4/accounts/dedup" + path, body, HDR)
    r = c.getresponse()
    data = r.read()
    assert r.status == 200, (r.status, data[:200])
    return json.loads(data)["result"]

def batch(first, with_ids):
    return json.dumps({"messages": [
        dict({"body": "x" * 256, "content_type": "text"},
             **({"dedup_id": f"order-{first + i:09d}"} if with_ids else {}))
        for i in range(100)]})

def run(binary, n, with_ids):
    label = "dedup ids" if with_ids else "no dedup ids (baseline)"
    data = tempfile.mkdtemp(prefix="sluice-dedup-")
    proc, port = start(binary, data, TOKEN)
    c = http.client.HTTPConnection("127.0.0.1", port)
    qid = call(c, "POST", "/queues", json.dumps({"queue_name": "dedup"}))["queue_id"]
    print(f"[{label}] start: rss {rss_mb(proc.pid):.0f} MB")
    t0, peak = time.time(), 0.0
    for i in range(n // 100):
        call(c, "POST", f"/queues/{qid}/messages/batch", batch(i * 100, with_ids))
        if (i + 1) % 10 == 0:
            peak = max(peak, rss_mb(proc.pid))
        if (i + 1) % 1000 == 0:
            print(f"[{label}] {(i + 1) * 100:>9} messages: rss {rss_mb(proc.pid):.0f} MB")
    print(f"[{label}] sent {n} in {time.time() - t0:.1f} s, peak rss {peak:.0f} MB")
    proc.send_signal(signal.SIGTERM); proc.wait()
    proc, port = start(binary, data, TOKEN)
    time.sleep(1)
    c = http.client.HTTPConnection("127.0.0.1", port)
    print(f"[{label}] after restart: rss {rss_mb(proc.pid):.0f} MB")
    if with_ids:
        t0 = time.time()
        for i in range(min(n, 10_000) // 100):
            call(c, "POST", f"/queues/{qid}/messages/batch", batch(i * 100, True))
        print(f"[{label}] repeated {min(n, 10_000)} ids in {time.time() - t0:.1f} s, "
              f"rss {rss_mb(proc.pid):.0f} MB")
    backlog = call(c, "GET", f"/queues/{qid}/metrics")["backlog_count"]
    print(f"[{label}] backlog_count {backlog} (sent {n})")
    proc.send_signal(signal.SIGTERM); proc.wait()
    shutil.rmtree(data)

def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    binary, n = args[0], int(args[1]) if len(args) > 1 else 1_000_000
    if "--baseline" in sys.argv:
        run(binary, n, False)
    run(binary, n, True)

main()
