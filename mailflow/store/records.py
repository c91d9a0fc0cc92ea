"""The shapes of the records the store keeps: participants, inbound ledger entries, proposals.

TypedDicts, not classes: TinyDB stores and returns plain dicts (its Documents), so a
record read from a table is already one of these, with no conversion on the way in or
out. Every key but the identifying ones is optional: records grow as a person moves
through the program, and older records lack keys added since.
"""

from __future__ import annotations

from typing import Any, Required, TypedDict


class Application(TypedDict):
    """How complete an applicant's form is, and what it still lacks."""

    complete: bool
    missing: list[str]


class Participant(TypedDict, total=False):
    """A person in the program, one record per registered address (table ``participants``).

    A rule's ``set:`` action may add further keys of the coordinators' choosing: code that
    reads a key named in configuration takes the record as ``Mapping[str, object]``.
    """

    email: Required[str]            # the registered address, lower case
    name: str
    role: str | None                # mentor, mentee; None until the form says
    status: str | None              # a lifecycle state (program/lifecycle.py)
    language: str | None
    fields: dict[str, str]          # what the application form or an import gave
    application: Application
    source: str                     # "mail": written by someone not yet known
    approved: bool                  # a mentor accepted by a coordinator
    created: str                    # ISO timestamps, as every date below
    updated: str
    # the dates of lifecycle.DATED states, set on entering them
    selected: str
    matched: str
    introduced: str
    completed: str
    withdrawn: str
    aliases: list[str]              # further addresses whose mail is theirs
    mentor: str | None              # a mentee's mentor's address
    mentees: list[str]              # a mentor's mentees' addresses, latest last
    proposed: str | None            # when the latest mentee was proposed to the mentor
    choices: list[str]              # the mentors a mentee chose, in order
    meetings: list[dict[str, Any]]  # what they reported of their meetings
    last_meeting: str               # the day of the latest meeting held
    surveys: dict[str, dict[str, Any]]  # survey key -> answers
    attendance: dict[str, str]      # event -> answer
    sequences: dict[str, list[str]]     # sequence -> templates already sent
    stopped: list[str]              # scheduled rules that send them nothing more
    away_until: str                 # an out-of-office postpones reminders to this day
    paused_until: str | None
    opted_out: bool                 # no optional mail
    bounced: bool                   # their address fails permanently


class LedgerEntry(TypedDict, total=False):
    """A message received (table ``inbound``), recorded before anything acts on it.

    Old handled entries keep only ``key``, ``message_id``, ``state`` and ``received``;
    an entry whose raw bytes were pruned loses ``spool``, ``offset`` and ``size``.
    """

    key: Required[str]              # source and UID (or Maildir name): unique
    source: str
    uid: int | None
    message_id: str | None
    sha256: str | None
    spool: str                      # the spool file holding the raw bytes...
    offset: int                     # ...where they start in it...
    size: int                       # ...and how many
    block: list[int]                # packed months: (offset, length) of the zlib block...
    at: int                         # ...and where the message starts once inflated
    received: str
    state: str                      # received, duplicate, handled, review, error...
    duplicate_of: str | None        # the key of the first entry with this Message-ID
    erased: bool                    # its sender's data was erased
    wiped: bool                     # and its raw bytes overwritten
    # what was understood of it, once handled (Ledger.finish)
    kind: str
    sender: str | None
    participant: str | None
    subject: str
    problems: list[str]
    rules: list[str]
    doc_id: int                     # set on entries handed to the handler, not stored


class Proposal(TypedDict, total=False):
    """A proposed matching waiting for (or given) a coordinator's approval (``proposals``)."""

    id: Required[str]               # the creation time, %Y%m%d%H%M%S
    state: str                      # proposed, approved
    created: str
    mode: str                       # traditional, group, imported
    pairs: list[list[str]]          # [mentee, mentor] addresses
    ranks: dict[str, int | None]    # mentee -> rank of her mentor among her choices
    suggested: list[str]            # mentees matched on a machine suggestion
    flagged: list[str]
    unmatched: list[str]
    source: str                     # the file an imported proposal came from
    revisions: list[dict[str, Any]]  # coordinators' edits, each {"by", "edits"}
    approved_by: str
    approved: str
    confirm_approval: bool          # its APPROVE waits for CONFIRM (a MATCH by mail)
    doc_id: int                     # set on a proposal being answered, not stored
