"""What the bench/ scripts share: starting a `sluice serve` of their own and reading
its resident memory, and calling its API. Imported by the scripts next to it (Python puts a script's own
directory on its path)."""
import http.client, json, os, subprocess

def status_mb(pid, field):
    """A memory field of /proc/`pid`/status (VmRSS, VmHWM, ...) in MB, 0 if unreadable."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0

def rss_mb(pid):
    """Resident memory of process `pid` in MB (VmRSS)."""
    return status_mb(pid, "VmRSS")

def hwm_mb(pid):
    """The peak resident memory of process `pid` so far in MB (VmHWM)."""
    return status_mb(pid, "VmHWM")

def start(binary, data, token, flags=(), log=None):
    """Starts `binary serve` on a free loopback port with data dir `data` and
    SLUICE_BOOTSTRAP_TOKEN=`token`; returns (process, port) once it listens. The
    server's log (stderr) goes to the open file `log`, or is dropped."""
    env = dict(os.environ, SLUICE_BOOTSTRAP_TOKEN=token)
    p = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0", "--data-dir", data, *flags],
                         stdout=subprocess.PIPE, stderr=log or subprocess.DEVNULL, env=env,
                         text=True)
    line = p.stdout.readline()
    while "listening on" not in line:
        line = p.stdout.readline()
    return p, int(line.rsplit(":", 1)[1])

def api(port, token, account, timeout=None):
    """call(method, path, body=None) on the v4 API of the server on `port` as
    `account` (path from `/queues…`), over one keep-alive connection: returns the
    envelope's `result` and asserts its `success`."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    hdr = {"authorization": "Bearer " + token, "content-type": "application/json"}

    def call(method, path, body=None):
        c.request(method, f"/client/v4/accounts/{account}" + path,
                  None if body is None else json.dumps(body), hdr)
        out = json.loads(c.getresponse().read())
        assert out["success"], out
        return out["result"]
    return call
