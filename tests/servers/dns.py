"""A tiny authoritative DNS server on a loopback address, for the test MX's milters.

OpenDKIM, OpenDMARC and libspf2 look up DKIM keys, DMARC policies and SPF records in
DNS; ``LocalDns`` answers them from a dict (TXT records only; anything else is
NXDOMAIN), over UDP and TCP on port 53 of a random 127.x.y.z address, so that no query
ever leaves the machine. Port 53 is needed because the system resolver library (used by
OpenDMARC and libspf2) cannot be pointed at another port; binding it needs root.
"""

from __future__ import annotations

import contextlib
import random
import socket
import socketserver
import struct
import threading

import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

__all__ = ["LocalDns", "txt_chunks"]


def txt_chunks(value: str) -> list[str]:
    """A TXT value split into the <= 255-byte character-strings DNS needs."""
    return [value[i : i + 255] for i in range(0, len(value), 255)] or [""]


class _Udp(socketserver.ThreadingUDPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Tcp(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class LocalDns:
    """TXT records served on ``host``:53 (UDP and TCP); ``queries`` lists every name asked."""

    def __init__(self, records: dict[str, str] | None = None) -> None:
        self.records: dict[str, str] = {}
        for name, value in (records or {}).items():
            self.add_txt(name, value)
        self.queries: list[tuple[str, str]] = []
        self.host = ""
        self._servers: list[socketserver.BaseServer] = []
        self._lock = threading.Lock()

    def add_txt(self, name: str, value: str) -> None:
        self.records[name.lower().rstrip(".")] = value

    # ------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Bind a random free 127.x.y.z:53 (UDP and TCP) and serve in threads."""
        last: OSError | None = None
        for _ in range(50):
            host = f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
            try:
                udp = _Udp((host, 53), self._udp_handler())
            except OSError as exc:
                last = exc
                continue
            try:
                tcp = _Tcp((host, 53), self._tcp_handler())
            except OSError as exc:
                udp.server_close()
                last = exc
                continue
            self.host = host
            self._servers = [udp, tcp]
            for server in self._servers:
                threading.Thread(target=server.serve_forever, daemon=True).start()
            return
        raise OSError(f"no free loopback address for a DNS server on port 53: {last}")

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers = []

    def __enter__(self) -> LocalDns:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------ answering
    def answer(self, wire: bytes) -> bytes | None:
        """The response to one query in wire format (None for garbage)."""
        try:
            query = dns.message.from_wire(wire)
        except Exception:
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if not query.question:
            response.set_rcode(dns.rcode.FORMERR)
            return response.to_wire()
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True).lower()
        with self._lock:
            self.queries.append((name, dns.rdatatype.to_text(question.rdtype)))
        value = self.records.get(name)
        if value is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
        elif question.rdtype in (dns.rdatatype.TXT, dns.rdatatype.ANY):
            text = " ".join('"' + chunk.replace('"', '\\"') + '"' for chunk in txt_chunks(value))
            response.answer.append(
                dns.rrset.from_text(question.name, 60, dns.rdataclass.IN, dns.rdatatype.TXT, text)
            )
        return response.to_wire()

    def asked(self, name: str) -> bool:
        """Whether anything looked ``name`` up."""
        with self._lock:
            return any(q == name.lower() for q, _type in self.queries)

    def _udp_handler(self) -> type[socketserver.BaseRequestHandler]:
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                data, sock = self.request
                reply = outer.answer(data)
                if reply is not None:
                    sock.sendto(reply, self.client_address)

        return Handler

    def _tcp_handler(self) -> type[socketserver.BaseRequestHandler]:
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                conn: socket.socket = self.request
                conn.settimeout(5)
                with contextlib.suppress(OSError):
                    while True:
                        head = _read_exact(conn, 2)
                        if head is None:
                            return
                        data = _read_exact(conn, struct.unpack("!H", head)[0])
                        if data is None:
                            return
                        reply = outer.answer(data)
                        if reply is None:
                            return
                        conn.sendall(struct.pack("!H", len(reply)) + reply)

        return Handler


def _read_exact(conn: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data
