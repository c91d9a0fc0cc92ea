"""A throw-away Dovecot IMAP server for tests.

``DovecotServer(base_dir)`` writes a self-contained Dovecot configuration under
``base_dir`` (config, passwd-file, log, Maildir home, optional TLS cert) and runs
``dovecot -F -c CONF`` as a child process listening on 127.0.0.1 on a free port.
The system's Dovecot configuration and service are never used or touched.

The config is written for Dovecot 2.3 (Debian 12); a best-effort 2.4 variant
(Debian 13) is chosen from ``dovecot --version`` but has not been run yet.

Works as root (processes drop to the ``dovecot``/``dovenull`` users and the
mail store is chowned to ``dovecot``) and as an ordinary user (everything runs
as that user).
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from imapclient import IMAPClient

__all__ = ["DovecotError", "DovecotServer", "dovecot_binary", "dovecot_version", "free_port"]

START_TIMEOUT = 20.0
STOP_TIMEOUT = 3.0  # then SIGKILL: losing nothing, Maildir writes are atomic


class DovecotError(RuntimeError):
    """Dovecot could not be started (or is not installed)."""


def dovecot_binary() -> str | None:
    """Path of the ``dovecot`` executable, or None when it is not installed."""
    found = shutil.which("dovecot")
    if found:
        return found
    for candidate in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def dovecot_version(binary: str | None = None) -> tuple[int, ...]:
    """The installed Dovecot version as a tuple, e.g. ``(2, 3, 19, 1)``."""
    binary = binary or dovecot_binary()
    if binary is None:
        raise DovecotError("dovecot is not installed")
    out = subprocess.run(
        [binary, "--version"], capture_output=True, text=True, check=True, timeout=10
    ).stdout
    match = re.match(r"\s*(\d+(?:\.\d+)*)", out)
    if not match:
        raise DovecotError(f"cannot parse `dovecot --version` output: {out!r}")
    return tuple(int(p) for p in match.group(1).split("."))


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _port_accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


class DovecotServer:
    """A private Dovecot instance serving one Maildir user over plain IMAP.

    Attributes/properties: ``host``, ``port``, ``user``, ``password``,
    ``tls_port`` and ``ca_file`` (None unless TLS is enabled), ``log_file``,
    ``maildir`` (the user's Maildir on disk).
    """

    def __init__(
        self,
        base_dir: Path,
        *,
        user: str = "program",
        password: str = "secret",
        tls: bool = False,
        lmtp: bool = False,
    ) -> None:
        """``tls=True`` adds an implicit-TLS listener (``tls_port``) with a self-signed
        certificate (``ca_file``) made by the ``openssl`` command; Dovecot then also
        offers (never requires) STARTTLS on the plain port. With ``tls=False`` it runs
        with ``ssl = no``. ``lmtp=True`` adds LMTP, on a port (``lmtp_port``) of the same
        address and on a Unix socket (``lmtp_socket``), for a test MTA to deliver into
        the mailbox."""
        self.base_dir = Path(base_dir).resolve()
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self._user = user
        self._password = password
        self._host = "127.0.0.1"
        self._binary = dovecot_binary()
        if self._binary is None:
            raise DovecotError(
                "dovecot is not installed (run `bash scripts/test`, which installs dovecot-imapd)"
            )
        self.version = dovecot_version(self._binary)
        if tls and shutil.which("openssl") is None:
            raise DovecotError("tls=True needs the `openssl` command")
        self._tls = bool(tls)

        self._port = free_port(self._host)
        self._tls_port: int | None = free_port(self._host) if self._tls else None
        self._lmtp_port: int | None = free_port(self._host) if lmtp else None
        self._proc: subprocess.Popen[bytes] | None = None
        # Unix socket paths are limited to ~108 bytes: keep Dovecot's base_dir short.
        self._run_dir: Path | None = None

        self.conf_file = self.base_dir / "dovecot.conf"
        self.log_file = self.base_dir / "dovecot.log"
        self.passwd_file = self.base_dir / "passwd"
        self.state_dir = self.base_dir / "state"
        self.home = self.base_dir / "home" / user
        self.maildir = self.home / "Maildir"
        self.cert_file = self.base_dir / "tls" / "cert.pem"
        self.key_file = self.base_dir / "tls" / "key.pem"
        self._prepared = False

    # ------------------------------------------------------------------ props
    @property
    def host(self) -> str:
        return self._host

    @property
    def port(self) -> int:
        return self._port

    @property
    def user(self) -> str:
        return self._user

    @property
    def password(self) -> str:
        return self._password

    @property
    def tls_port(self) -> int | None:
        return self._tls_port

    @property
    def lmtp_port(self) -> int | None:
        """The LMTP listener's port, or None unless ``lmtp=True``."""
        return self._lmtp_port

    @property
    def lmtp_socket(self) -> Path | None:
        """LMTP's Unix socket (Dovecot's default ``lmtp`` listener) while running with
        ``lmtp=True``, else None."""
        if self._lmtp_port is None or self._run_dir is None:
            return None
        return self._run_dir / "lmtp"

    @property
    def ca_file(self) -> Path | None:
        """The self-signed certificate (its own CA) of the TLS listener, or None."""
        return self.cert_file if self._tls else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def __repr__(self) -> str:
        return (
            f"<DovecotServer {self.host}:{self.port} tls_port={self.tls_port} "
            f"user={self.user!r} running={self.running}>"
        )

    # ------------------------------------------------------------ lifecycle
    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start Dovecot; return once a LOGIN succeeds (raise DovecotError otherwise)."""
        if self.running:
            return
        if not self._prepared:
            self._prepare()
        self._run_dir = Path(tempfile.mkdtemp(prefix="dv", dir="/tmp"))
        os.chmod(self._run_dir, 0o755)
        self._write_config()
        self._check_ports_free()
        self._proc = subprocess.Popen(
            [self._binary, "-F", "-c", str(self.conf_file)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: stop() kills all children
        )
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                proc, self._proc = self._proc, None
                out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                self._cleanup_run_dir()
                raise DovecotError(
                    self._failure(f"dovecot exited with code {proc.returncode}", out)
                )
            if _port_accepts(self.host, self.port):
                try:
                    with self.client():
                        pass
                    return
                except Exception as exc:  # not ready yet (e.g. auth process starting)
                    last_error = exc
            time.sleep(0.05)
        self.stop()
        raise DovecotError(
            self._failure(
                f"dovecot did not accept an IMAP LOGIN within {timeout:g}s "
                f"(last error: {last_error!r})"
            )
        )

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM the whole process group, wait, SIGKILL it if needed.

        Terminating only the master takes ~1.1 s (it waits for its log process);
        terminating master and children together takes a few milliseconds. Mail
        is safe either way: Dovecot has written a message into place before it
        answers APPEND.
        """
        proc, self._proc = self._proc, None
        if proc is not None:
            pgid = proc.pid  # start_new_session=True: pgid == pid
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGTERM)
                try:
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(pgid, signal.SIGKILL)
                    proc.wait(5)
            # Children (imap, imap-login, auth, ...) that outlived the master; they are
            # gone only once reaped, which a loaded machine may take a moment to do.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                try:
                    os.killpg(pgid, 0)
                except (ProcessLookupError, PermissionError):
                    break
                time.sleep(0.02)
            if proc.stdout is not None:
                proc.stdout.close()
        self._cleanup_run_dir()

    def restart(self) -> None:
        """Stop and start again on the same ports with the same mail store."""
        self.stop()
        self.start()

    def __enter__(self) -> DovecotServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------ IMAP helpers
    @contextlib.contextmanager
    def client(self, *, timeout: float = 10.0) -> Iterator[IMAPClient]:
        """A logged-in IMAPClient connected to the plain listener."""
        imap = IMAPClient(self.host, port=self.port, ssl=False, timeout=timeout)
        try:
            imap.login(self.user, self.password)
            yield imap
        finally:
            with contextlib.suppress(Exception):
                imap.logout()
            with contextlib.suppress(Exception):
                imap.shutdown()

    def tls_client(self, *, timeout: float = 10.0) -> IMAPClient:
        """A (not logged-in) IMAPClient over implicit TLS, verifying ``ca_file``."""
        if self.tls_port is None or self.ca_file is None:
            raise DovecotError("this DovecotServer has no TLS listener")
        ctx = ssl.create_default_context(cafile=str(self.ca_file))
        return IMAPClient(self.host, port=self.tls_port, ssl=True, ssl_context=ctx, timeout=timeout)

    def append(self, raw: bytes, folder: str = "INBOX", flags: tuple[str, ...] = ()) -> int | None:
        """Append a raw RFC 5322 message; return its UID when the server says it."""
        with self.client() as imap:
            resp = imap.append(folder, raw, flags=flags)
        match = re.search(rb"APPENDUID \d+ (\d+)", resp if isinstance(resp, bytes) else b"")
        return int(match.group(1)) if match else None

    def uids(self, folder: str = "INBOX") -> list[int]:
        """All UIDs in ``folder``, sorted (including \\Deleted ones not yet expunged)."""
        with self.client() as imap:
            imap.select_folder(folder, readonly=True)
            return sorted(imap.search("ALL"))

    def fetch_all(self, folder: str = "INBOX") -> dict[int, bytes]:
        """``{uid: raw message}`` for every message in ``folder`` (does not set \\Seen)."""
        with self.client() as imap:
            imap.select_folder(folder, readonly=True)
            uids = imap.search("ALL")
            if not uids:
                return {}
            data = imap.fetch(uids, ["BODY.PEEK[]"])
            return {uid: item[b"BODY[]"] for uid, item in sorted(data.items())}

    def flags(self, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
        """``{uid: flags}`` for every message in ``folder``."""
        with self.client() as imap:
            imap.select_folder(folder, readonly=True)
            uids = imap.search("ALL")
            if not uids:
                return {}
            return {uid: tuple(v[b"FLAGS"]) for uid, v in imap.fetch(uids, ["FLAGS"]).items()}

    def create_folder(self, name: str) -> None:
        with self.client() as imap:
            imap.create_folder(name)

    def folders(self) -> list[str]:
        """Names of all folders of the user, e.g. ``['INBOX', 'Processed']``."""
        with self.client() as imap:
            return sorted(name for _flags, _delim, name in imap.list_folders())

    # ------------------------------------------------------------ internals
    def _ids(self) -> tuple[str, str, int, int]:
        """(login_user, internal_user, mail uid, mail gid) for the config."""
        if os.geteuid() == 0:
            try:
                dovecot = pwd.getpwnam("dovecot")
                pwd.getpwnam("dovenull")
            except KeyError as exc:
                raise DovecotError(
                    "the `dovecot`/`dovenull` system users are missing "
                    "(install dovecot-imapd with apt-get)"
                ) from exc
            return "dovenull", "dovecot", dovecot.pw_uid, dovecot.pw_gid
        me = pwd.getpwuid(os.geteuid())
        return me.pw_name, me.pw_name, me.pw_uid, os.getegid()

    def _prepare(self) -> None:
        _login, _internal, uid, gid = self._ids()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.maildir.mkdir(parents=True, exist_ok=True)
        for sub in ("cur", "new", "tmp"):
            (self.maildir / sub).mkdir(exist_ok=True)
        self.passwd_file.write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        self.passwd_file.chmod(0o644)
        if os.geteuid() == 0:
            home_root = self.base_dir / "home"
            for path in [home_root, *home_root.rglob("*")]:
                os.chown(path, uid, gid)
            # Dovecot's unprivileged processes must be able to reach the mail store and
            # the passwd-file: give "search" (x) permission on ancestors that lack it
            # (pytest's tmp dirs are 0700). Only directories we own are touched.
            _ensure_traversable(self.base_dir)
        if self._tls:
            self._make_cert()
        self._prepared = True

    def _make_cert(self) -> None:
        if self.cert_file.exists() and self.key_file.exists():
            return
        self.cert_file.parent.mkdir(parents=True, exist_ok=True)
        cmd = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
            "-days", "3", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-keyout", str(self.key_file), "-out", str(self.cert_file),
        ]  # fmt: skip
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if res.returncode != 0:
            raise DovecotError(f"openssl failed to make a test certificate:\n{res.stderr}")
        self.key_file.chmod(0o600)
        self.cert_file.chmod(0o644)

    def _write_config(self) -> None:
        assert self._run_dir is not None
        login_user, internal_user, uid, gid = self._ids()
        new_style = self.version >= (2, 4)
        lines: list[str] = []
        if new_style:
            lines += [
                "dovecot_config_version = 2.4.0",
                "dovecot_storage_version = 2.4.0",
            ]
        lines += [
            "protocols = imap lmtp" if self._lmtp_port else "protocols = imap",
            f"listen = {self.host}",
            f"base_dir = {self._run_dir}",
            f"state_dir = {self.state_dir}",
            f"instance_name = mailflow-test-{self.port}",
            f"log_path = {self.log_file}",
            f"info_log_path = {self.log_file}",
            f"debug_log_path = {self.log_file}",
            f"default_login_user = {login_user}",
            f"default_internal_user = {internal_user}",
            *self._group_lines(),
            "first_valid_uid = 1",
            "first_valid_gid = 1",
            "auth_mechanisms = plain login",
            "shutdown_clients = yes",
            "mail_fsync = never",
        ]
        if new_style:
            lines += [
                "auth_allow_cleartext = yes",
                "mail_driver = maildir",
                f"mail_path = {self.home}/Maildir",
            ]
        else:
            lines += [
                "disable_plaintext_auth = no",
                "mail_location = maildir:~/Maildir",
            ]
        if self._tls and new_style:
            lines += [
                "ssl = yes",
                f"ssl_server_cert_file = {self.cert_file}",
                f"ssl_server_key_file = {self.key_file}",
            ]
        elif self._tls:
            lines += ["ssl = yes", f"ssl_cert = <{self.cert_file}", f"ssl_key = <{self.key_file}"]
        else:
            lines.append("ssl = no")

        if new_style:
            lines += [
                "passdb passwd-file {",
                f"  passwd_file_path = {self.passwd_file}",
                "}",
                "userdb static {",
                "  fields {",
                f"    uid = {uid}",
                f"    gid = {gid}",
                f"    home = {self.home}",
                "  }",
                "}",
            ]
        else:
            lines += [
                "passdb {",
                "  driver = passwd-file",
                f"  args = scheme=PLAIN username_format=%u {self.passwd_file}",
                "}",
                "userdb {",
                "  driver = static",
                f"  args = uid={uid} gid={gid} home={self.home}",
                "}",
            ]

        tls_listener = []
        if self._tls:
            tls_listener = [
                "  inet_listener imaps {",
                f"    port = {self.tls_port}",
                "    ssl = yes",
                "  }",
            ]
        # Both listeners bind the global `listen` address (127.0.0.1).
        lines += [
            "service imap-login {",
            "  chroot =",
            "  inet_listener imap {",
            f"    port = {self.port}",
            "  }",
            *tls_listener,
            "}",
            "service anvil {",
            "  chroot =",
            "}",
        ]
        if self._lmtp_port:
            lines += [
                "service lmtp {",
                "  inet_listener lmtp {",
                f"    port = {self._lmtp_port}",
                "  }",
                "}",
            ]
        if os.geteuid() != 0:
            # chroot needs root; disable it for every service that has one by default.
            services = ["ipc", "imap-urlauth-login"]
            if not new_style:
                services += ["old-stats"]
            for name in services:
                lines += [f"service {name} {{", "  chroot =", "}"]
        lines += [
            "protocol imap {",
            "  imap_idle_notify_interval = 2 mins",
            "}",
        ]
        self.conf_file.write_text("\n".join(lines) + "\n")
        self.conf_file.chmod(0o644)

    def _group_lines(self) -> list[str]:
        if os.geteuid() == 0:
            return []
        # Unprivileged: sockets cannot be chowned to the `dovecot` group.
        try:
            group = grp.getgrgid(os.getegid()).gr_name
        except KeyError:
            return []
        return [f"default_internal_group = {group}"]

    def _check_ports_free(self) -> None:
        ports = [self.port] + [p for p in (self.tls_port, self.lmtp_port) if p]
        for port in ports:
            deadline = time.monotonic() + 5
            while _port_accepts(self.host, port):
                if time.monotonic() > deadline:
                    raise DovecotError(f"port {self.host}:{port} is already in use")
                time.sleep(0.05)

    def _cleanup_run_dir(self) -> None:
        if self._run_dir is not None:
            shutil.rmtree(self._run_dir, ignore_errors=True)
            self._run_dir = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log file)"
        return "\n".join(text.splitlines()[-lines:])

    def _failure(self, message: str, output: str = "") -> str:
        parts = [message, f"config: {self.conf_file}", f"log: {self.log_file}"]
        if output.strip():
            parts += ["--- dovecot output ---", output.strip()]
        parts += ["--- tail of dovecot log ---", self.log_tail()]
        return "\n".join(parts)


def _ensure_traversable(path: Path) -> None:
    """Add o+x to ``path`` and its ancestors that we own and that lack it."""
    me = os.geteuid()
    for directory in [path, *path.parents]:
        try:
            st = directory.stat()
        except OSError:
            continue
        if st.st_mode & 0o001 or st.st_uid != me:
            continue
        with contextlib.suppress(OSError):
            os.chmod(directory, (st.st_mode & 0o7777) | 0o001)
