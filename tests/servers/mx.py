"""A real receiving MTA for trust tests: Postfix with OpenDKIM and OpenDMARC as milters.

``MailExchanger`` runs a private Postfix (its own config, queue and ports, ``postfix
start-fg``), OpenDKIM (verify only) and OpenDMARC (with its own SPF check) on Unix
sockets under a temp dir, all adding ``Authentication-Results: mx.northlake.example.org``,
and delivers to a Dovecot LMTP listener. DNS answers come from ``LocalDns`` on a
loopback address: each process runs in a private mount namespace whose
/etc/resolv.conf names only that address, so no query leaves the machine and the
system's files and services are never touched. Postfix needs root, hence the MX too.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import smtplib
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dkim
import pytest

from tests.servers.dns import LocalDns
from tests.servers.dovecot import DovecotServer, free_port

__all__ = [
    "ATTACKER_DOMAIN",
    "AUTHSERV_ID",
    "COORDINATOR_DOMAIN",
    "FORWARDER_DOMAIN",
    "MailExchanger",
    "MxError",
    "MxWorld",
    "SenderDomain",
    "make_sender",
    "mx_dovecot",
    "mx_missing",
    "mx_world",
    "wait_for_delivery",
]

AUTHSERV_ID = "mx.northlake.example.org"
COORDINATOR_DOMAIN = "northlake.example.org"
ATTACKER_DOMAIN = "evil.example"
START_TIMEOUT = 20.0
PROGRAMS = ("postfix", "opendkim", "opendmarc", "opendkim-genkey", "unshare", "mount")


class MxError(RuntimeError):
    """The test MX could not be started or did not deliver."""


def mx_missing() -> str | None:
    """Why the MX cannot run here (a missing program, or not root), or None."""
    missing = [name for name in PROGRAMS if _which(name) is None]
    if missing:
        return (f"missing {', '.join(missing)}: run `bash scripts/test`, which installs "
                "postfix, opendkim, opendkim-tools and opendmarc")
    if os.geteuid() != 0:
        return "the test MX needs root (Postfix's master and port 53 of the local DNS)"
    return None


def _which(name: str) -> str | None:
    return shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/sbin/{name}") if os.access(p, os.X_OK)), None)


@dataclass(frozen=True)
class SenderDomain:
    """A sending domain: its DKIM key pair and the loopback address its SPF allows."""

    domain: str
    selector: str
    private_key: bytes
    public_record: str
    host: str

    @property
    def key_name(self) -> str:
        return f"{self.selector}._domainkey.{self.domain}"

    def sign(self, raw: bytes, *, domain: str | None = None) -> bytes:
        """``raw`` with a DKIM-Signature by this domain's key (d= ``domain`` if given)."""
        headers = [b"from", b"to", b"subject", b"date", b"message-id"]
        signature = dkim.sign(raw, self.selector.encode(), (domain or self.domain).encode(),
                              self.private_key, include_headers=headers, linesep=b"\r\n")
        return signature + raw


def make_sender(directory: Path, domain: str, host: str,
                selector: str = "mail2026") -> SenderDomain:
    """A fresh 2048-bit DKIM key for ``domain`` made by opendkim-genkey."""
    directory.mkdir(parents=True, exist_ok=True)
    genkey = _which("opendkim-genkey") or "opendkim-genkey"
    subprocess.run([genkey, "-b", "2048", "-d", domain, "-s", selector, "-D", str(directory)],
                   check=True, capture_output=True, timeout=60)
    txt = (directory / f"{selector}.txt").read_text()
    record = "".join(re.findall(r'"([^"]*)"', txt))
    return SenderDomain(domain, selector, (directory / f"{selector}.private").read_bytes(),
                        record, host)


class MailExchanger:
    """Postfix + OpenDKIM + OpenDMARC on loopback, delivering over LMTP.

    ``port``: the SMTP listener on 127.0.0.1; ``deliver_to(socket)`` picks the LMTP
    server (a Dovecot) mail for ``local_domain`` goes to; ``submit`` hands the MX a
    message from a chosen loopback source address, as another server would.
    """

    def __init__(self, base_dir: Path, dns: LocalDns, *, authserv_id: str = AUTHSERV_ID,
                 local_domain: str = COORDINATOR_DOMAIN) -> None:
        self.base_dir = Path(base_dir).resolve()
        self.dns = dns
        self.authserv_id = authserv_id
        self.local_domain = local_domain
        self.host = "127.0.0.1"
        self.port = 0
        self.conf_dir = self.base_dir / "postfix"
        self.log_file = self.base_dir / "postfix.log"
        self._run = Path(tempfile.mkdtemp(prefix="mx", dir="/tmp"))
        self._procs: dict[str, subprocess.Popen[bytes]] = {}

    # ------------------------------------------------------------ lifecycle
    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Write the configs, start the milters and Postfix; return once SMTP answers."""
        self.port = free_port(self.host)
        self.base_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._start_all(timeout)
        except BaseException:
            self.stop()
            raise

    def _start_all(self, timeout: float) -> None:
        os.chmod(self._run, 0o755)
        resolv = self._run / "resolv.conf"
        resolv.write_text(f"nameserver {self.dns.host}\noptions timeout:1 attempts:2\n")
        resolv.chmod(0o644)
        for milter in ("opendkim", "opendmarc"):
            sock_dir = self._run / milter
            sock_dir.mkdir()
            shutil.chown(sock_dir, milter, milter)
            conf = self._write_milter_conf(milter)
            self._spawn(milter, [_which(milter) or milter, "-f", "-x" if milter == "opendkim"
                                 else "-c", str(conf)])
        self._write_postfix_conf()
        self._spawn("postfix", [_which("postfix") or "postfix", "-c", str(self.conf_dir),
                                "start-fg"])
        self._wait_ready(timeout)

    def stop(self) -> None:
        """Stop Postfix (``postfix stop``), kill the milters; remove the run dir.

        The milters only verify (no state to lose) and take ~5 s each to honour
        SIGTERM, so they get SIGKILL after half a second.
        """
        if "postfix" in self._procs and self._procs["postfix"].poll() is None:
            subprocess.run([_which("postfix") or "postfix", "-c", str(self.conf_dir), "stop"],
                           capture_output=True, timeout=30)
        for proc in self._procs.values():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 0.5
        for proc in self._procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(max(0.0, deadline - time.monotonic()))
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
        self._procs = {}
        shutil.rmtree(self._run, ignore_errors=True)

    def deliver_to(self, lmtp_socket: Path) -> None:
        """Deliver from now on to the LMTP Unix socket ``lmtp_socket`` (e.g. a Dovecot's).

        Postfix delivers to a fixed path, ``lmtp`` in the run dir; this repoints that
        symlink atomically, so one MX serves each test's own Dovecot without a reload.
        """
        link = self._run / "lmtp"
        tmp = self._run / "lmtp.new"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        tmp.symlink_to(lmtp_socket)
        os.replace(tmp, link)

    # ------------------------------------------------------------ using it
    def submit(self, raw: bytes, *, sender: SenderDomain | str, mail_from: str,
               rcpt: str, helo: str | None = None) -> None:
        """Hand ``raw`` to the MX over SMTP from the sender's loopback address."""
        source = sender.host if isinstance(sender, SenderDomain) else sender
        name = helo or (f"mail.{sender.domain}" if isinstance(sender, SenderDomain)
                        else "mail.example.net")
        with smtplib.SMTP(self.host, self.port, local_hostname=name, timeout=15,
                          source_address=(source, 0)) as smtp:
            smtp.sendmail(mail_from, [rcpt], raw)

    def log_tail(self, lines: int = 60) -> str:
        parts = []
        for path in [self.log_file, *sorted(self.base_dir.glob("*.out"))]:
            with contextlib.suppress(OSError):
                text = path.read_text(errors="replace").splitlines()[-lines:]
                parts += [f"--- {path.name} ---", *text]
        return "\n".join(parts)

    # ------------------------------------------------------------ internals
    def _spawn(self, name: str, argv: list[str]) -> None:
        """Run ``argv`` in a mount namespace of its own where /etc/resolv.conf is ours."""
        script = 'mount --bind "$0" /etc/resolv.conf && exec "$@"'
        cmd = [_which("unshare") or "unshare", "--mount", "--propagation", "private",
               "sh", "-c", script, str(self._run / "resolv.conf"), *argv]
        out = open(self.base_dir / f"{name}.out", "ab")
        self._procs[name] = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                             stderr=subprocess.STDOUT, start_new_session=True)
        out.close()

    def _write_milter_conf(self, milter: str) -> Path:
        sock = self._run / milter / f"{milter}.sock"
        common = [
            "Syslog no",
            f"AuthservID {self.authserv_id}",
            f"Socket local:{sock}",
            "UMask 0000",
            f"UserID {milter}:{milter}",
            f"PidFile {self._run / milter / 'pid'}",
        ]
        if milter == "opendkim":
            lines = [*common, "Mode v", f"Nameservers {self.dns.host}",
                     "AlwaysAddARHeader yes", "SoftwareHeader no"]
        else:
            lines = [*common, f"TrustedAuthservIDs {self.authserv_id}",
                     "SPFSelfValidate false", "SPFIgnoreResults true",
                     "RejectFailures false", "SoftwareHeader no", "RequiredHeaders false"]
        path = self.base_dir / f"{milter}.conf"
        path.write_text("\n".join(lines) + "\n")
        return path

    def _write_postfix_conf(self) -> None:
        conf = self.conf_dir
        conf.mkdir(parents=True, exist_ok=True)
        queue = self.base_dir / "queue"
        queue.mkdir(mode=0o755, exist_ok=True)  # root's; Postfix makes its subdirectories
        milters = ", ".join(f"unix:{self._run / m / (m + '.sock')}"
                            for m in ("opendkim", "opendmarc"))
        main = {
            "compatibility_level": "3.6",
            "queue_directory": str(queue),
            "data_directory": str(self.base_dir / "data"),
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "myhostname": self.authserv_id,
            "mydomain": self.local_domain,
            "myorigin": "$myhostname",
            "mydestination": "",
            "inet_interfaces": self.host,
            "inet_protocols": "ipv4",
            "mynetworks": "127.0.0.1/32",
            "relay_domains": self.local_domain,
            "relay_transport": f"lmtp:unix:{self._run / 'lmtp'}",
            "default_transport": "error:5.1.1 this test MX relays nowhere",
            "lmtp_connection_cache_on_demand": "no",
            "lmtp_cache_connection": "no",
            "smtpd_recipient_restrictions": "reject_unauth_destination",
            "smtpd_peername_lookup": "no",
            "smtp_dns_support_level": "disabled",
            "lmtp_dns_support_level": "disabled",
            "smtpd_milters": milters,
            "non_smtpd_milters": "",
            "milter_default_action": "tempfail",
            "maillog_file": str(self.log_file),
            "maillog_file_prefixes": str(self.base_dir),
            "alias_maps": "",
            "alias_database": "",
            "local_recipient_maps": "",
            "biff": "no",
            "smtputf8_enable": "no",
            "append_dot_mydomain": "no",
            "queue_run_delay": "1s",
            "minimal_backoff_time": "1s",
            "maximal_backoff_time": "2s",
        }
        (conf / "main.cf").write_text("".join(f"{k} = {v}\n" for k, v in main.items()))
        services = [
            f"{self.host}:{self.port} inet n - n - - smtpd",
            "cleanup unix n - n - 0 cleanup",
            "qmgr unix n - n 300 1 qmgr",
            "rewrite unix - - n - - trivial-rewrite",
            "bounce unix - - n - 0 bounce",
            "defer unix - - n - 0 bounce",
            "trace unix - - n - 0 bounce",
            "verify unix - - n - 1 verify",
            "flush unix n - n 1000? 0 flush",
            "proxymap unix - - n - - proxymap",
            "smtp unix - - n - - smtp",
            "relay unix - - n - - smtp",
            "showq unix n - n - - showq",
            "error unix - - n - - error",
            "retry unix - - n - - error",
            "discard unix - - n - - discard",
            "lmtp unix - - n - - lmtp",
            "anvil unix - - n - 1 anvil",
            "scache unix - - n - 1 scache",
            "postlog unix-dgram n - n - 1 postlogd",
        ]
        (conf / "master.cf").write_text("\n".join(services) + "\n")


    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        socks = [self._run / m / f"{m}.sock" for m in ("opendkim", "opendmarc")]
        last: Exception | None = None
        while time.monotonic() < deadline:
            for name, proc in self._procs.items():
                if proc.poll() is not None:
                    tail = self.log_tail()
                    self.stop()
                    raise MxError(f"{name} exited with code {proc.returncode}\n{tail}")
            if all(s.exists() for s in socks):
                try:
                    with smtplib.SMTP(self.host, self.port, timeout=2) as smtp:
                        smtp.noop()
                    return
                except OSError as exc:
                    last = exc
            time.sleep(0.05)
        tail = self.log_tail()
        self.stop()
        raise MxError(f"the MX did not answer SMTP within {timeout:g}s ({last!r})\n{tail}")


# ---------------------------------------------------------------- fixtures
FORWARDER_DOMAIN = "lists.example.net"


@dataclass
class MxWorld:
    """One running MX with its DNS and the sending domains the tests use.

    ``coordinator`` signs as northlake.example.org from 127.0.10.1, ``attacker`` as
    evil.example from 127.0.66.1, ``forwarder`` (a mailing list) as lists.example.net
    from 127.0.77.1. DMARC: p=reject for northlake.example.org, p=none for the others.
    """

    mx: MailExchanger
    dns: LocalDns
    coordinator: SenderDomain
    attacker: SenderDomain
    forwarder: SenderDomain


def _skip_or_fail_without_mx() -> None:
    if os.environ.get("MAILFLOW_SKIP_SERVERS", "").strip().lower() in {"1", "true", "yes"}:
        pytest.skip("MAILFLOW_SKIP_SERVERS=1: real-server tests skipped")
    reason = mx_missing()
    if reason and os.geteuid() != 0:
        pytest.skip(reason)
    if reason:
        pytest.fail(reason, pytrace=False)


@pytest.fixture(scope="session")
def mx_world() -> Iterator[MxWorld]:
    """The MX, started once per session (~2 s); each test routes to its own Dovecot."""
    _skip_or_fail_without_mx()
    base = Path(tempfile.mkdtemp(prefix="mf-mx-", dir="/tmp"))
    base.chmod(0o711)
    senders = [make_sender(base / "keys" / domain, domain, host) for domain, host in (
        (COORDINATOR_DOMAIN, "127.0.10.1"), (ATTACKER_DOMAIN, "127.0.66.1"),
        (FORWARDER_DOMAIN, "127.0.77.1"))]
    records = {s.key_name: s.public_record for s in senders}
    records[f"_dmarc.{COORDINATOR_DOMAIN}"] = "v=DMARC1; p=reject; adkim=r; aspf=r"
    records[f"_dmarc.{ATTACKER_DOMAIN}"] = "v=DMARC1; p=none"
    records[f"_dmarc.{FORWARDER_DOMAIN}"] = "v=DMARC1; p=none"
    dns = LocalDns(records)
    dns.start()
    mx = MailExchanger(base / "mx", dns)
    try:
        mx.start()
        yield MxWorld(mx, dns, *senders)
    finally:
        mx.stop()
        dns.stop()
        shutil.rmtree(base, ignore_errors=True)


class _LmtpDovecot(DovecotServer):
    """A Dovecot whose LMTP may leave out its own Received line (a common setting)."""

    received_header = True

    def _write_config(self) -> None:
        super()._write_config()
        if not self.received_header:
            with open(self.conf_file, "a") as conf:
                conf.write("lmtp_add_received_header = no\n")


@pytest.fixture
def mx_dovecot(request: pytest.FixtureRequest, mx_world: MxWorld) -> Iterator[DovecotServer]:
    """A fresh Dovecot for this test whose mailbox the MX delivers to over LMTP.

    Indirect parameter: ``"lmtp-received"`` (the default: LMTP adds a Received line
    above the MX's) or ``"no-lmtp-received"`` (the MX's Received is the top one).
    """
    base = Path(tempfile.mkdtemp(prefix="mf-dovecot-", dir="/tmp"))
    base.chmod(0o711)
    server = _LmtpDovecot(base / "dovecot", user=f"mentorship@{COORDINATOR_DOMAIN}", lmtp=True)
    server.received_header = getattr(request, "param", "lmtp-received") != "no-lmtp-received"
    try:
        server.start()
        assert server.lmtp_socket is not None
        mx_world.mx.deliver_to(server.lmtp_socket)
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


def wait_for_delivery(dovecot: DovecotServer, count: int, mx: MailExchanger,
                      timeout: float = 20.0) -> dict[int, bytes]:
    """The INBOX once it holds ``count`` messages (fails with the MX's log otherwise)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mails = dovecot.fetch_all()
        if len(mails) >= count:
            return mails
        time.sleep(0.05)
    raise MxError(f"{count} message(s) not delivered within {timeout:g}s\n{mx.log_tail()}")
