"""``mailflow status`` and ``mailflow review``: the program at a glance (also by mail)."""

from __future__ import annotations

from mailflow.commands import services
from mailflow.program.coordination import views
from mailflow.runtime import Program


def status_text(program: Program) -> str:
    """Participants by role and status, mail in and out by state, what waits for review."""
    return views.status_text(services(program))


def review_text(program: Program) -> str:
    """Every unresolved review item, oldest first."""
    return views.review_text(services(program))
