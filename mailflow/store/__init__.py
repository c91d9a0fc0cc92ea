"""What we remember: the crash-safe TinyDB store and its records."""

from mailflow.store.db import SCHEMA_VERSION, Store

__all__ = ["SCHEMA_VERSION", "Store"]
