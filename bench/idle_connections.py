#!/usr/bin/env python3
"""Opens N connections to a fresh Sluice server and prints its RSS: with no
request sent (tokenless, silent), then after one authenticated request on
each (idle keep-alive), then after the header time-out closed them. Shows what
an idle connection costs and that it is given back.

usage: bench/idle_connections.py SLUICE_BIN [N]
"""
import os, resource, shutil, signal, socket, subprocess, sys, tempfile, time

def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

def main():
    binary, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    data = tempfile.mkdtemp(prefix="sluice-conn-")
    env = dict(os.environ, SLUICE_BOOTSTRAP_TOKEN="conn-token-0123456789abcdef0123456789")
    proc = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0", "--data-dir", data,
                             "--header-timeout", "5", "--max-connections", str(n + 100)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    line = proc.stdout.readline()
    while "listening on" not in line:
        line = proc.stdout.readline()
    port = int(line.rsplit(":", 1)[1])
    time.sleep(1)
    base = rss_kb(proc.pid)
    print(f"server idle: rss {base / 1024:.1f} MB")
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        socks.append(s)
    time.sleep(1)
    silent = rss_kb(proc.pid)
    print(f"{n} silent connections: rss {silent / 1024:.1f} MB, "
          f"{(silent - base) * 1024 / n:.0f} bytes each")
    req = (b"GET /client/v4/accounts/a/queues HTTP/1.1\r\nHost: x\r\n"
           b"Authorization: Bearer conn-token-0123456789abcdef0123456789\r\n\r\n")
    for s in socks:
        s.sendall(req)
    for s in socks:
        s.recv(65536)
    time.sleep(0.5)
    idle = rss_kb(proc.pid)
    print(f"{n} idle keep-alive connections after one request each: rss {idle / 1024:.1f} MB, "
          f"{(idle - base) * 1024 / n:.0f} bytes each")
    time.sleep(6)
    closed = sum(1 for s in socks if s.recv(1) == b"")
    print(f"after the 5 s header time-out: {closed} of {n} closed by the server, "
          f"rss {rss_kb(proc.pid) / 1024:.1f} MB")
    for s in socks:
        s.close()
    proc.send_signal(signal.SIGTERM)
    proc.wait()
    shutil.rmtree(data)

main()
