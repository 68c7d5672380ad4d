"""HTTP calls to one node: a keep-alive connection per (thread, node), re-made after
any failure. In namespace mode the socket is created inside the node's namespace."""
import http.client
import json
import socket
import time

ACCOUNT = "faults"


class NsConnection(http.client.HTTPConnection):
    """An HTTPConnection whose socket comes from `make_socket()`."""

    def __init__(self, host, port, timeout, make_socket):
        super().__init__(host, port, timeout=timeout)
        self._make_socket = make_socket

    def connect(self):
        sock = self._make_socket()
        try:
            sock.settimeout(self.timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.connect((self.host, self.port))
        except BaseException:
            sock.close()
            raise
        self.sock = sock


class Answer:
    """What one call got: `status` (None when no answer came: refused, reset or
    timed out), the parsed JSON body (None if none), the headers, and the
    monotonic times the request was sent (`t0`) and answered (`t1`)."""

    __slots__ = ("status", "body", "headers", "t0", "t1", "error")

    def __init__(self, status, body, headers, t0, t1, error=""):
        self.status, self.body, self.headers, self.t0, self.t1, self.error = (
            status, body, headers, t0, t1, error)

    @property
    def ok(self):
        return self.status == 200 and isinstance(self.body, dict) and self.body.get("success")

    @property
    def result(self):
        return self.body.get("result") if isinstance(self.body, dict) else None

    def message(self):
        """The first error message of the envelope, or the transport error."""
        if isinstance(self.body, dict) and self.body.get("errors"):
            return self.body["errors"][0].get("message", "")
        return self.error


class Client:
    """Calls to any node from one thread. `endpoint(i)` gives (host, port,
    make_socket) of node i."""

    def __init__(self, endpoint, timeout):
        self._endpoint = endpoint
        self._timeout = timeout
        self._conns = {}

    def call(self, node, method, path, body=None, account=True, timeout=None):
        """One request to node `node`; never raises on transport errors."""
        conn = self._conns.get(node)
        if conn is None or (timeout is not None and conn.timeout != timeout):
            if conn is not None:
                conn.close()
            host, port, make_socket = self._endpoint(node)
            conn = NsConnection(host, port, timeout or self._timeout, make_socket)
            self._conns[node] = conn
        full = (f"/client/v4/accounts/{ACCOUNT}" if account else "/client/v4") + path
        data = None if body is None else json.dumps(body)
        headers = {"content-type": "application/json"} if data is not None else {}
        t0 = time.monotonic()
        try:
            conn.request(method, full, body=data, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            self._conns.pop(node, None)
            return Answer(None, None, {}, t0, time.monotonic(), f"{type(e).__name__}: {e}")
        t1 = time.monotonic()
        if resp.getheader("connection", "").lower() == "close":
            conn.close()
            self._conns.pop(node, None)
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return Answer(resp.status, parsed, dict(resp.getheaders()), t0, t1)

    def close(self):
        for c in self._conns.values():
            c.close()
        self._conns = {}
