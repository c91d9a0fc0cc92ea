"""CSV that a spreadsheet opens as text: no cell may start a formula (OWASP CSV injection).

Names, form answers and addresses come from mail; a cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return would be run as a formula (``=HYPERLINK(...)``,
``+cmd|...``) by Excel, LibreOffice or Google Sheets, so it gets a leading ``'``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer whose every text cell is passed through safe_cell, quoted where CSV needs it."""

    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[Any]) -> None:
        """Write one row, its cells made safe."""
        self._writer.writerow([safe_cell(v) for v in row])
