"""A coordinator's answer to a matching proposal: APPROVE, and/or pairs edited as 'A -> B'."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_APPROVE = re.compile(r"^\s*(approved?|approuv\w*|valid\w*|ok(?:ay)?)\s*[.!]?\s*$",
                      re.IGNORECASE)
_EDIT = re.compile(r"^\s*[-*•]?\s*(?P<mentee>[^>\n]+?)\s*(?:->|→|=>)\s*(?P<mentor>[^\n]+?)\s*$")


@dataclass
class ApprovalReading:
    """Whether the proposal is approved, and the pairs the coordinator changed."""

    approve: bool = False
    edits: list[tuple[str, str]] = field(default_factory=list)
    found: bool = False


def read_approval(new_text: str) -> ApprovalReading:
    """APPROVE alone on a line, and 'Mentee Name -> Mentor Name' lines, from the new text."""
    reading = ApprovalReading()
    for line in new_text.splitlines():
        if _APPROVE.match(line):
            reading.approve = reading.found = True
            continue
        match = _EDIT.match(line)
        if match:
            reading.edits.append((match["mentee"].strip(), match["mentor"].strip()))
            reading.found = True
    return reading
