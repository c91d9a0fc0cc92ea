"""The ``run`` fixture: the simulated cohort year of cohort_year.py, closed after the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.program.cohort_year import (  # noqa: F401 - the tests import these from here
    END,
    HOUR,
    START,
    ZONE,
    Run,
    new_program,
    roster,
)


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Run]:
    """The example cohort with its roster (see ``roster``), closed after the test."""
    running = Run.open(new_program(tmp_path / "program"))
    roster(running.program)
    yield running
    running.close()
