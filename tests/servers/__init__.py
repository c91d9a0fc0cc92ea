"""Real servers for tests: a private Dovecot IMAP server and a capturing SMTP server.

The pytest fixtures live in ``tests.servers.fixtures`` (loaded by tests/conftest.py).
"""

from tests.servers.dovecot import DovecotError, DovecotServer
from tests.servers.smtp import CapturedMessage, Rejection, SmtpServer

__all__ = ["CapturedMessage", "DovecotError", "DovecotServer", "Rejection", "SmtpServer"]
