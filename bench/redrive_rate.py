#!/usr/bin/env python3
"""Dead-letters N messages (200-byte text bodies) through a pull consumer
without retries, then redrives them back without a rate limit and prints how
long the task took (docs/api.md, "Redrive"; docs/benchmarks.md).

usage: bench/redrive_rate.py SLUICE_BIN [N]
"""
import shutil, signal, sys, tempfile, time

from sluice_process import api, start

TOKEN = "redrive-token"


def main():
    binary, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    data = tempfile.mkdtemp(prefix="sluice-redrive-")
    proc, port = start(binary, data, TOKEN)
    call = api(port, TOKEN, "rd")

    try:
        src = call("POST", "/queues", {"queue_name": "src"})["queue_id"]
        call("POST", f"/queues/{src}/consumers", {"type": "http_pull", "dead_letter_queue": "dlq",
                                                  "settings": {"max_retries": 0}})
        dlq = call("GET", "/queues?name=dlq")[0]["queue_id"]
        batch = {"messages": [{"body": "x" * 200, "content_type": "text"}] * 100}
        for _ in range(n // 100):
            call("POST", f"/queues/{src}/messages/batch", batch)
        retried = 0
        while retried < n:
            got = call("POST", f"/queues/{src}/messages/pull", {"batch_size": 100})["messages"]
            call("POST", f"/queues/{src}/messages/ack",
                 {"retries": [{"lease_id": m["lease_id"]} for m in got]})
            retried += len(got)
        while call("GET", f"/queues/{dlq}/metrics")["backlog_count"] < n:
            time.sleep(0.05)
        t0 = time.time()
        call("POST", f"/queues/{dlq}/redrive", {})
        while call("GET", f"/queues/{dlq}/redrive")["state"] == "RUNNING":
            time.sleep(0.02)
        dt = time.time() - t0
        task = call("GET", f"/queues/{dlq}/redrive")
        back = call("GET", f"/queues/{src}/metrics")["backlog_count"]
        print(f"{task['state']}: moved {task['messages_moved']} of {task['messages_to_move']} "
              f"in {dt:.2f} s ({task['messages_moved'] / dt:.0f} msg/s); source backlog {back}")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
