"""Resolve secrets from the environment or a file; never from the YAML itself."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SecretRef:
    """Where a secret lives: an environment variable or a file. Its repr never shows the value."""

    env: str | None = None
    file: Path | None = None

    def describe(self) -> str:
        """Where the secret is read from, for messages (never the value)."""
        if self.env:
            return f"environment variable {self.env}"
        if self.file:
            return f"file {self.file}"
        return "nowhere"

    def resolve(self) -> str | None:
        """The secret's value, or None when the variable or file is absent."""
        if self.env:
            return os.environ.get(self.env)
        if self.file:
            try:
                return self.file.read_text(encoding="utf-8").strip()
            except OSError:
                return None
        return None
