#!/usr/bin/env python3
"""Fills one queue with a backlog of N messages (batches of 100, 256-byte text
bodies) on a running Sluice server and prints the server's RSS along the way,
then after a restart. Shows that memory follows --shard-window, not the backlog.

usage: bench/backlog_rss.py SLUICE_BIN [N]
"""
import http.client, json, shutil, signal, sys, tempfile, time

from sluice_process import hwm_mb, rss_mb, start

TOKEN = "rss-token"

def main():
    binary, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    data = tempfile.mkdtemp(prefix="sluice-rss-")
    hdr = {"authorization": "Bearer " + TOKEN, "content-type": "application/json"}
    proc, port = start(binary, data, TOKEN)
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request("POST", "/client/v4/accounts/rss/queues", json.dumps({"queue_name": "backlog"}), hdr)
    qid = json.loads(c.getresponse().read())["result"]["queue_id"]
    batch = json.dumps({"messages": [{"body": "x" * 256, "content_type": "text"}] * 100})
    print(f"start: rss {rss_mb(proc.pid):.0f} MB")
    t0 = time.time()
    for i in range(n // 100):
        c.request("POST", f"/client/v4/accounts/rss/queues/{qid}/messages/batch", batch, hdr)
        r = c.getresponse(); r.read()
        assert r.status == 200, r.status
        if (i + 1) % (n // 1000) == 0:
            print(f"{(i + 1) * 100:>9} messages: rss {rss_mb(proc.pid):.0f} MB")
    print(f"sent {n} in {time.time() - t0:.1f} s; peak rss while filling {hwm_mb(proc.pid):.0f} MB")
    c.request("GET", f"/client/v4/accounts/rss/queues/{qid}/metrics", headers=hdr)
    print("metrics:", json.loads(c.getresponse().read())["result"])
    proc.send_signal(signal.SIGTERM); proc.wait()
    t0 = time.time()
    proc, port = start(binary, data, TOKEN)
    listening = time.time() - t0
    c = http.client.HTTPConnection("127.0.0.1", port)
    while True: # shards recover in the background: wait until the whole backlog is counted
        c.request("GET", f"/client/v4/accounts/rss/queues/{qid}/metrics", headers=hdr)
        r = c.getresponse()
        body = json.loads(r.read())
        if r.status == 200 and body["result"]["backlog_count"] >= n:
            break
        time.sleep(0.05)
    print(f"restart: listening after {listening:.1f} s, whole backlog counted after "
          f"{time.time() - t0:.1f} s")
    time.sleep(1)
    print(f"after restart: rss {rss_mb(proc.pid):.0f} MB")
    print("metrics after restart:", body["result"])
    proc.send_signal(signal.SIGTERM); proc.wait()
    shutil.rmtree(data)

main()
