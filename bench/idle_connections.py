#!/usr/bin/env python3
"""Opens N connections to a fresh Sluice server and prints its RSS: with no
request sent (tokenless, silent), then after one authenticated request on
each (idle keep-alive), then after the header time-out closed them. Shows what
an idle connection costs and that it is given back.

usage: bench/idle_connections.py SLUICE_BIN [N]
"""
import resource, shutil, signal, socket, sys, tempfile, time

from sluice_process import rss_mb, start

TOKEN = "conn-token-0123456789abcdef0123456789"

def main():
    binary, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    data = tempfile.mkdtemp(prefix="sluice-conn-")
    proc, port = start(binary, data, TOKEN,
                       ["--header-timeout", "5", "--max-connections", str(n + 100)])
    time.sleep(1)
    base = rss_mb(proc.pid)
    print(f"server idle: rss {base:.1f} MB")
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        socks.append(s)
    time.sleep(1)
    silent = rss_mb(proc.pid)
    print(f"{n} silent connections: rss {silent:.1f} MB, "
          f"{(silent - base) * 2**20 / n:.0f} bytes each")
    req = (b"GET /client/v4/accounts/a/queues HTTP/1.1\r\nHost: x\r\n"
           b"Authorization: Bearer " + TOKEN.encode() + b"\r\n\r\n")
    for s in socks:
        s.sendall(req)
    for s in socks:
        s.recv(65536)
    time.sleep(0.5)
    idle = rss_mb(proc.pid)
    print(f"{n} idle keep-alive connections after one request each: rss {idle:.1f} MB, "
          f"{(idle - base) * 2**20 / n:.0f} bytes each")
    time.sleep(6)
    closed = sum(1 for s in socks if s.recv(1) == b"")
    print(f"after the 5 s header time-out: {closed} of {n} closed by the server, "
          f"rss {rss_mb(proc.pid):.1f} MB")
    for s in socks:
        s.close()
    proc.send_signal(signal.SIGTERM)
    proc.wait()
    shutil.rmtree(data)

main()
