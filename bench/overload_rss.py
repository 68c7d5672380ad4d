#!/usr/bin/env python3
"""Overload: C connections each sending batches of 100 messages of B bytes (244 KB
batches by default) as fast as they can for S seconds against a fresh Sluice server,
then idle. Prints the answers by status, the p50/p99 latency of the admitted (200)
sends, the server's peak RSS under load and its RSS after the load ends. Shows that
--max-inflight-bytes sheds load with 429 and bounds memory.

usage: bench/overload_rss.py SLUICE_BIN [CONNECTIONS] [SECONDS] [BODY_BYTES] [-- SERVE_FLAGS...]
"""
import http.client, json, shutil, signal, sys, tempfile, threading, time

from sluice_process import rss_mb, start

TOKEN = "overload-token-0123456789abcdef0123456789"

def sender(port, path, batch, until, statuses, latencies, lock):
    hdr = {"authorization": "Bearer " + TOKEN, "content-type": "application/json"}
    c = None
    while time.time() < until:
        try:
            if c is None:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            t0 = time.time()
            c.request("POST", path, batch, hdr)
            r = c.getresponse()
            r.read()
            took = time.time() - t0
            with lock:
                statuses[r.status] = statuses.get(r.status, 0) + 1
                if r.status == 200:
                    latencies.append(took)
            if r.getheader("connection", "").lower() == "close":
                c.close()
                c = None
            if r.status == 429:
                time.sleep(float(r.getheader("retry-after", "1")))
        except (OSError, http.client.HTTPException):
            with lock:
                statuses["error"] = statuses.get("error", 0) + 1
            c = None
            time.sleep(0.1)

def main():
    args = sys.argv[1:]
    flags = args[args.index("--") + 1:] if "--" in args else []
    args = args[:args.index("--")] if "--" in args else args
    binary = args[0]
    conns = int(args[1]) if len(args) > 1 else 256
    seconds = float(args[2]) if len(args) > 2 else 20
    body = int(args[3]) if len(args) > 3 else 2440
    data = tempfile.mkdtemp(prefix="sluice-overload-")
    proc, port = start(binary, data, TOKEN, flags)
    c = http.client.HTTPConnection("127.0.0.1", port)
    hdr = {"authorization": "Bearer " + TOKEN, "content-type": "application/json"}
    c.request("POST", "/client/v4/accounts/load/queues", json.dumps({"queue_name": "overload"}), hdr)
    qid = json.loads(c.getresponse().read())["result"]["queue_id"]
    path = f"/client/v4/accounts/load/queues/{qid}/messages/batch"
    batch = json.dumps({"messages": [{"body": "x" * body, "content_type": "text"}] * 100})
    time.sleep(1)
    idle = rss_mb(proc.pid)
    statuses, latencies, lock = {}, [], threading.Lock()
    until = time.time() + seconds
    threads = [threading.Thread(target=sender, args=(port, path, batch, until, statuses, latencies, lock))
               for _ in range(conns)]
    for t in threads:
        t.start()
    peak = idle
    while time.time() < until:
        peak = max(peak, rss_mb(proc.pid))
        time.sleep(0.2)
    for t in threads:
        t.join()
    time.sleep(5)
    after = rss_mb(proc.pid)
    latencies.sort()
    pct = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0
    print(f"{conns} connections, batches of 100 x {body} bytes ({len(batch)} bytes), {seconds:.0f} s, "
          f"flags {' '.join(flags) or '(defaults)'}")
    print(f"answers: {dict(sorted(statuses.items(), key=str))}")
    print(f"admitted sends: p50 {pct(0.5):.0f} ms, p99 {pct(0.99):.0f} ms")
    print(f"rss: idle {idle:.0f} MB, peak under load {peak:.0f} MB, 5 s after {after:.0f} MB")
    proc.send_signal(signal.SIGTERM)
    proc.wait()
    shutil.rmtree(data)

main()
