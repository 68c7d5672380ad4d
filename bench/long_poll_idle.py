#!/usr/bin/env python3
"""Holds N long polls (`wait_time_ms` 20000) on one empty queue of a fresh Sluice
server and prints the server's CPU time while they wait, then sends N messages
and prints how many waiting pulls got one and how fast. Shows that a waiting pull
costs no CPU (nothing polls) and that each send wakes one.

usage: bench/long_poll_idle.py SLUICE_BIN [N]
"""
import json, os, resource, shutil, signal, socket, sys, tempfile, time

from sluice_process import rss_mb, start

TOKEN = "poll-token-0123456789abcdef0123456789"

def cpu_seconds(pid):
    """User plus system CPU time of process `pid` in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def request(method, path, body):
    data = json.dumps(body).encode()
    return (f"{method} /client/v4/accounts/a{path} HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n").encode() + data

def call(port, method, path, body):
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(request(method, path, body))
        raw = b""
        while b"\r\n\r\n" not in raw:
            raw += s.recv(65536)
        head, rest = raw.split(b"\r\n\r\n", 1)
        length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0]
                     .split(b":")[1])
        while len(rest) < length:
            rest += s.recv(65536)
        return json.loads(rest)

def main():
    binary, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    data = tempfile.mkdtemp(prefix="sluice-poll-")
    proc, port = start(binary, data, TOKEN, ["--max-connections", str(n + 100)])
    qid = call(port, "POST", "/queues", {"queue_name": "waits"})["result"]["queue_id"]
    pull = request("POST", f"/queues/{qid}/messages/pull", {"batch_size": 1, "wait_time_ms": 20000})
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(pull)
        socks.append(s)
    time.sleep(1)
    before, rss = cpu_seconds(proc.pid), rss_mb(proc.pid)
    time.sleep(10)
    idle = cpu_seconds(proc.pid) - before
    print(f"{n} waiting long polls: server CPU {idle:.2f} s in 10 s, rss {rss:.1f} MB")
    started = time.monotonic()
    for i in range(0, n, 100):
        call(port, "POST", f"/queues/{qid}/messages/batch",
             {"messages": [{"body": f"m{j}", "content_type": "text"} for j in range(i, min(n, i + 100))]})
    got = 0
    for s in socks:
        s.settimeout(15)
        if b'"lease_id"' in s.recv(65536):
            got += 1
    took = time.monotonic() - started
    print(f"{n} messages sent: {got} of {n} waiting pulls answered with one, "
          f"all within {took:.2f} s of the first send")
    for s in socks:
        s.close()
    proc.send_signal(signal.SIGTERM)
    proc.wait()
    shutil.rmtree(data)

main()
