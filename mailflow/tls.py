"""Client TLS shared by IMAP and SMTP, below both so neither imports the other."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Protocol


class TlsSettings(Protocol):
    """What TLS needs from a server's configuration (``ServerConfig`` has both)."""

    @property
    def ca_file(self) -> Path | None: ...

    @property
    def verify(self) -> bool: ...


def tls_context(server: TlsSettings) -> ssl.SSLContext:
    """A client TLS context that verifies certificates unless the config says ``verify: false``."""
    context = ssl.create_default_context(cafile=str(server.ca_file) if server.ca_file else None)
    if not server.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context
