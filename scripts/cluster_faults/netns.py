"""Network namespaces for the fault harness: one per node, joined by a bridge, so
that a node can be cut off from its peers with blackhole routes while the harness
still reaches its HTTP listener (127.0.0.1 inside the node's namespace, through
sockets created there with setns(2)).

Only addresses assigned here, inside namespaces made here, are ever used; the
bridge has no address in the root namespace and no route out."""
import ctypes
import os
import socket
import subprocess

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def _ip(*args, check=True):
    """Runs `ip ARGS`; raises RuntimeError with its stderr when `check` and it fails."""
    r = subprocess.run(["ip", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {r.stderr.strip()}")
    return r


def _setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")


def _free_subnet():
    """A 10.77.X.0/24 that no interface of the root namespace uses."""
    used = _ip("-4", "addr").stdout + _ip("-4", "route").stdout
    for x in range(0, 256):
        if f"10.77.{x}." not in used:
            return f"10.77.{x}"
    raise RuntimeError("no free 10.77.X.0/24 subnet")


class Network:
    """`count` namespaces named PREFIX-n1… on a bridge; node i (1-based) has the
    address 10.77.X.(10+i). Build with `setup()`, always `teardown()`."""

    def __init__(self, prefix, count):
        self.prefix = prefix
        self.count = count
        self.bridge = f"{prefix}b"
        self.subnet = None
        self.blackholes = []  # (namespace, address) routes to delete on heal
        self._root_fd = None
        self._ns_fds = {}

    def ns(self, i):
        return f"{self.prefix}n{i}"

    def address(self, i):
        return f"{self.subnet}.{10 + i}"

    def setup(self):
        self.subnet = _free_subnet()
        self._root_fd = os.open("/proc/self/ns/net", os.O_RDONLY)
        _ip("link", "add", self.bridge, "type", "bridge")
        _ip("link", "set", self.bridge, "up")
        for i in range(1, self.count + 1):
            ns, host_end, ns_end = self.ns(i), f"{self.prefix}h{i}", f"{self.prefix}p{i}"
            _ip("netns", "add", ns)
            _ip("link", "add", host_end, "type", "veth", "peer", "name", ns_end)
            _ip("link", "set", ns_end, "netns", ns)
            _ip("link", "set", host_end, "master", self.bridge)
            _ip("link", "set", host_end, "up")
            _ip("-n", ns, "link", "set", "lo", "up")
            _ip("-n", ns, "link", "set", ns_end, "name", "eth0")
            _ip("-n", ns, "addr", "add", f"{self.address(i)}/24", "dev", "eth0")
            _ip("-n", ns, "link", "set", "eth0", "up")
            self._ns_fds[i] = os.open(f"/run/netns/{ns}", os.O_RDONLY)

    def command(self, i, argv):
        """`argv` run inside node i's namespace (`ip netns exec` execs it: same pid)."""
        return ["ip", "netns", "exec", self.ns(i), *argv]

    def socket_in(self, i):
        """A TCP socket created inside node i's namespace (the calling thread
        switches there and back; namespaces are per thread)."""
        fd = self._ns_fds.get(i)
        if fd is None:
            raise ConnectionRefusedError(f"the namespace of node {i} is gone")
        _setns(fd)
        try:
            return socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        finally:
            _setns(self._root_fd)

    def isolate(self, i):
        """Cuts node i off from every peer, both ways (blackhole routes on both
        sides); its HTTP listener stays reachable from the harness."""
        for j in range(1, self.count + 1):
            if j == i:
                continue
            for ns, addr in ((self.ns(i), self.address(j)), (self.ns(j), self.address(i))):
                _ip("-n", ns, "route", "add", "blackhole", f"{addr}/32")
                self.blackholes.append((ns, addr))

    def heal(self):
        """Removes every blackhole route `isolate` added."""
        for ns, addr in self.blackholes:
            _ip("-n", ns, "route", "del", "blackhole", f"{addr}/32", check=False)
        self.blackholes = []

    def teardown(self):
        """Deletes the namespaces and the bridge (the veth pairs go with them).
        Safe to call twice and after a partial setup."""
        for fd in self._ns_fds.values():
            os.close(fd)
        self._ns_fds = {}
        if self._root_fd is not None:
            os.close(self._root_fd)
            self._root_fd = None
        teardown_prefix(self.prefix)


def teardown_prefix(prefix):
    """Kills what still runs in, and deletes, every namespace named PREFIX-n*, and
    the bridge PREFIX-b (the shell wrapper's trap calls this too)."""
    names = _ip("netns", "list", check=False).stdout.split()
    for name in names:
        if name.startswith(f"{prefix}n"):
            pids = _ip("netns", "pids", name, check=False).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), 9)
                except (ProcessLookupError, ValueError):
                    pass
            _ip("netns", "del", name, check=False)
    # A namespace lingers while sockets of it wait to close; its veth pair with it.
    for line in _ip("-o", "link", "show", check=False).stdout.splitlines():
        dev = line.split(":")[1].strip().split("@")[0] if ":" in line else ""
        if dev.startswith(f"{prefix}h") or dev == f"{prefix}b":
            _ip("link", "del", dev, check=False)


def available(prefix):
    """(True, "") if namespaces can be made here, else (False, why)."""
    if os.geteuid() != 0:
        return False, "not root"
    probe = f"{prefix}probe"
    try:
        r = _ip("netns", "add", probe, check=False)
    except OSError as e:  # no `ip` (iproute2)
        return False, str(e)
    if r.returncode != 0:
        return False, r.stderr.strip()
    _ip("netns", "del", probe, check=False)
    return True, ""
