"""The readers of the chain, one module per family of mail, each declaring its steps.

Every module here declares ``STEPS``: for each reader, its place in the chain, the name
logs and review reasons give it, the function, and the kinds of message it may conclude.
``mailflow.parsing.understand`` gathers them: the order of the places is the chain (the
business rule, pinned by name in ``tests/parsing/test_chain_order.py``), and the kinds
declared here are all the kinds there are (``understand.KINDS``). A reader claims a
message (True) and fills the reading, or passes (False); unsure, it says so with
``reading.doubt(...)``: the message then goes to review and nothing of it is applied.
A reader never catches its own failure: ``understand`` does, in one place.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from mailflow.parsing.examine import Context, Letter

Reader = Callable[[Letter, Context], bool]


@dataclass(frozen=True)
class Step:
    """One reader and its place: the chain runs the steps by increasing ``place``."""

    place: int
    name: str                        # what it reads, as the logs and review reasons say it
    read: Reader
    kinds: tuple[str, ...] = ()      # the kinds of message it may conclude
    second_opinion: bool = False     # runs on every reading after the chain; never claims


def declared() -> list[Step]:
    """The steps every module of this package declares in its ``STEPS``."""
    steps: list[Step] = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found = getattr(module, "STEPS", None)
        if not (isinstance(found, tuple) and found and all(isinstance(s, Step) for s in found)):
            raise TypeError(f"{module.__name__} declares no STEPS (a tuple of Step)")
        steps.extend(found)
    return steps
