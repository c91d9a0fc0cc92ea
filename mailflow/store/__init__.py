"""What we remember: the crash-safe TinyDB store and its records."""

from mailflow.store.db import SCHEMA_VERSION, Store
from mailflow.store.storage import StateWriteError

__all__ = ["SCHEMA_VERSION", "StateWriteError", "Store"]
