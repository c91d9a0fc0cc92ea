"""The CLI's commands that do more than call one function.

The coordinator commands share their implementation with the same commands by mail
(``mailflow.program.coordination``); ``services`` hands them the program's parts.
"""

from __future__ import annotations

from mailflow.program.coordination.services import Services
from mailflow.runtime import Program


def services(program: Program) -> Services:
    """What a coordinator command may use of an open program."""
    return Services(program.config, program.store, program.outbox, program.mailer,
                    program.scheduler.mailings, program.handler.pairing,
                    program.scheduler.plan)
