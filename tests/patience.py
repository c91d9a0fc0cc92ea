"""How long tests wait for what must happen: a factor on every upper bound.

Waits are upper bounds, never speed claims: on a loaded machine (parallel workers, a
slow CI runner) the same events take longer. MAILFLOW_TEST_PATIENCE (default 3) scales
them; a test that waits for something that must NOT happen sleeps instead, unscaled."""

from __future__ import annotations

import os

PATIENCE = float(os.environ.get("MAILFLOW_TEST_PATIENCE", "3"))


def patient(seconds: float) -> float:
    """``seconds`` scaled by the patience factor."""
    return seconds * PATIENCE
