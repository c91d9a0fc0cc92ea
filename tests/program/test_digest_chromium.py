"""The digest's HTML part, drawn by headless Chromium as a mail client would, is a picture."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest

from tests.digest_screenshot import (
    HEIGHT,
    WIDTH,
    chromium,
    demo_program,
    digest_message,
    part,
    screenshot,
)

PNG = b"\x89PNG\r\n\x1a\n"


def browser() -> str:
    """Debian's chromium; the test skips only when scripts/test could not install it."""
    if os.environ.get("MAILFLOW_SKIP_SERVERS", "").strip().lower() in {"1", "true", "yes"}:
        pytest.skip("MAILFLOW_SKIP_SERVERS=1: chromium is not installed by scripts/test")
    found = chromium()
    if found is None:
        reason = os.environ.get("MAILFLOW_NO_CHROMIUM")
        if reason:
            pytest.skip(f"chromium could not be installed: {reason}")
        pytest.fail("chromium is not installed: run `bash scripts/test` (it installs it) or "
                    "apt-get install chromium", pytrace=False)
    return found


def png_facts(data: bytes) -> tuple[int, int, int]:
    """Width, height and how many distinct byte values the image data holds."""
    assert data[:8] == PNG, "not a PNG file"
    width, height = struct.unpack(">II", data[16:24])
    pixels, at = bytearray(), 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"IDAT":
            pixels += data[at + 8:at + 8 + length]
        at += 12 + length
    return width, height, len(set(zlib.decompress(bytes(pixels))))


@pytest.fixture(scope="module")
def html(tmp_path_factory: pytest.TempPathFactory) -> str:
    program = demo_program(tmp_path_factory.mktemp("digest") / "program")
    try:
        return part(digest_message(program), "html")
    finally:
        program.close()


def test_chromium_draws_the_digest_html_part_as_a_full_page_picture(html, tmp_path: Path):
    out = tmp_path / "digest.png"

    screenshot(html, out, browser())

    width, height, values = png_facts(out.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    assert out.stat().st_size > 20_000  # bars, text and colours, not a blank page
    assert values > 50  # not one colour
