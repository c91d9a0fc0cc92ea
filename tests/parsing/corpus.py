"""Access to the hand-written test mails under tests/corpus/decode."""

from __future__ import annotations

from pathlib import Path

from mailflow.parsing.decode import DecodedMessage, decode_message

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "decode"


def raw(name: str) -> bytes:
    """The bytes of one corpus mail."""
    return (CORPUS / name).read_bytes()


def decoded(name: str) -> DecodedMessage:
    """One corpus mail, decoded."""
    return decode_message(raw(name))


def all_names() -> list[str]:
    """Every corpus mail's file name, sorted."""
    return sorted(p.name for p in CORPUS.glob("*.eml"))
