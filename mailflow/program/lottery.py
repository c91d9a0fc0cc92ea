"""Select a cohort's mentees by a public, reproducible lottery with reserved places and priority.

The rules, in the order they are applied:

1. **Tickets.** Each applicant's ticket is ``sha256(seed + ":" + email)`` (hex), the email
   exactly as recorded. Applicants are ranked by ``(prior_participant, ticket, email)``:
   everyone who was *not* in an earlier cohort comes before every prior participant, and
   within each of those two tiers the ticket decides. One ticket per applicant, used for
   every step, so the input order of the applications does not matter.
2. **Reserved places are drawn FIRST.** The ``reserved`` places go to the best-ranked
   applicants who self-identify as members of the under-represented group (new applicants
   of the group before prior participants of the group, as everywhere).
3. **Open places.** The remaining ``places - reserved`` go to the best-ranked of everyone
   not yet selected -- group members who were not drawn for a reserved place included.
   Reserved places the group cannot fill (fewer group applicants than reserved places)
   are open places.
4. **Waitlist.** Everyone not selected, in rank order.

Why first, and what it means: the reserve is a **floor, not an addition**. Drawing the
reserved places first from the same ranking is exactly the same as running a plain
lottery over everyone and then, *only if* it chose fewer than ``reserved`` group members,
replacing its worst-ranked other applicants with the best-ranked group members until the
group holds ``reserved`` places. When a plain lottery already chose enough group
members, the reserve changes nothing. The reserved places are guaranteed to the group,
and nobody's chance moves further from a plain lottery than that guarantee needs.

The other design -- drawing the open places first and the reserved places LAST -- would
let group members win open places *and then* have the reserved places on top, so the
group's share would be its plain-lottery share plus ``reserved``. That is a different
policy and this module does not implement it: ``reserved`` here is the minimum number of
places held by the group, never a number added to its share. Each selected person's
:class:`Pick` says which kind of place they hold (``"reserved"`` or ``"open"``).

Reproducibility: anyone with the seed and the applications (email, group, prior) re-runs
:func:`draw` to the same result. Announce :func:`seed_hash` before the draw and reveal the
seed only after applications close, so nobody can choose an email to win a good ticket and
the coordinators cannot pick the seed after seeing the applicants.

Withdrawal (:func:`withdraw`, :func:`next_from_waitlist`): a freed *reserved* place is
offered to the first group member on the waitlist, even if others are ahead of them; if no
group member is waiting it becomes an open place. A freed *open* place is offered to the
first person on the waitlist. A withdrawal from the waitlist frees no place.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from dataclasses import dataclass, replace
from typing import Literal

Place = Literal["reserved", "open"]
CATEGORIES = ("group-new", "group-prior", "other-new", "other-prior")


@dataclass(frozen=True)
class Applicant:
    """One application: who, whether they self-identify with the group, whether they took part."""

    email: str
    reserved_group: bool
    prior_participant: bool


@dataclass(frozen=True)
class Pick:
    """One applicant's position in the draw, with the ticket that put them there (for audit)."""

    email: str
    ticket: str
    reserved_group: bool
    prior_participant: bool
    place: Place | None  # None: on the waitlist


@dataclass(frozen=True)
class Draw:
    """The result: who is selected, the waitlist in order, and the full audit trail."""

    selected: list[str]  # reserved places first, then open places, each in draw order
    waitlist: list[str]  # in order
    seed_hash: str
    order: list[Pick]  # every applicant: the selected in draw order, then the waitlist


def seed_hash(seed: str) -> str:
    """The sha256 of the seed, to announce before the draw so the seed cannot change after."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def ticket(seed: str, email: str) -> str:
    """An applicant's ticket: ``sha256(seed + ":" + email)``; lower draws earlier."""
    return hashlib.sha256(f"{seed}:{email}".encode()).hexdigest()


def category(applicant: Applicant) -> str:
    """The fairness category: group or other, new or prior participant."""
    group = "group" if applicant.reserved_group else "other"
    return f"{group}-{'prior' if applicant.prior_participant else 'new'}"


def _check(applicants: list[Applicant], places: int, reserved: int) -> None:
    if places < 0 or not 0 <= reserved <= places:
        raise ValueError(f"need 0 <= reserved <= places, got reserved={reserved} places={places}")
    duplicates = [e for e, n in Counter(a.email for a in applicants).items() if n > 1]
    if duplicates:
        raise ValueError(f"duplicate applications: {', '.join(sorted(duplicates))}")


def draw(applicants: list[Applicant], places: int, reserved: int, seed: str) -> Draw:
    """Run the lottery described in the module docstring; same inputs, same result."""
    if not seed:
        raise ValueError("the seed must not be empty")
    _check(applicants, places, reserved)
    ranked = sorted(
        (Pick(a.email, ticket(seed, a.email), a.reserved_group, a.prior_participant, None)
         for a in applicants),
        key=lambda p: (p.prior_participant, p.ticket, p.email),
    )
    in_reserve = [p for p in ranked if p.reserved_group][:reserved]
    reserve_emails = {p.email for p in in_reserve}
    rest = [p for p in ranked if p.email not in reserve_emails]
    open_count = places - len(in_reserve)
    order = (
        [replace(p, place="reserved") for p in in_reserve]
        + [replace(p, place="open") for p in rest[:open_count]]
        + rest[open_count:]
    )
    return _from_order(order, seed_hash(seed))


def _from_order(order: list[Pick], hashed: str) -> Draw:
    return Draw(
        selected=[p.email for p in order if p.place is not None],
        waitlist=[p.email for p in order if p.place is None],
        seed_hash=hashed,
        order=order,
    )


def _offer(draw_: Draw, withdrawn_email: str) -> tuple[Pick, Pick | None]:
    """The withdrawn person's pick and the waitlisted pick their place goes to, if any."""
    picks = {p.email: p for p in draw_.order}
    if withdrawn_email not in picks:
        raise ValueError(f"{withdrawn_email} is not in this draw")
    gone = picks[withdrawn_email]
    waiting = [p for p in draw_.order if p.place is None and p.email != withdrawn_email]
    if gone.place is None or not waiting:
        return gone, None
    if gone.place == "reserved":
        group = [p for p in waiting if p.reserved_group]
        if group:
            return gone, group[0]
    return gone, waiting[0]


def next_from_waitlist(draw: Draw, withdrawn_email: str) -> str | None:
    """Who is offered the place ``withdrawn_email`` frees; None if it frees none or nobody waits."""
    _, offered = _offer(draw, withdrawn_email)
    return offered.email if offered else None


def withdraw(draw: Draw, withdrawn_email: str) -> Draw:
    """The draw after a withdrawal: the offered person takes the freed place, in its position."""
    gone, offered = _offer(draw, withdrawn_email)
    if offered is None:
        order = [p for p in draw.order if p.email != gone.email]
    else:
        kind: Place = "reserved" if gone.place == "reserved" and offered.reserved_group else "open"
        order = [
            replace(offered, place=kind) if p.email == gone.email else p
            for p in draw.order
            if p.email != offered.email
        ]
    return _from_order(order, draw.seed_hash)


def chances(
    applicants: list[Applicant], places: int, reserved: int, runs: int, seed_prefix: str
) -> dict[str, float]:
    """Empirical selection probability per category over ``runs`` seeds, to check fairness."""
    sizes = Counter(category(a) for a in applicants)
    kinds = {a.email: category(a) for a in applicants}
    wins: Counter[str] = Counter()
    for run in range(runs):
        wins.update(kinds[e] for e in draw(applicants, places, reserved, f"{seed_prefix}{run}")
                    .selected)
    return {c: wins[c] / (sizes[c] * runs) for c in CATEGORIES if sizes[c]}


def expected_chances(applicants: list[Applicant], places: int, reserved: int) -> dict[str, float]:
    """The exact selection probability per category under these rules, the documented figure."""
    _check(applicants, places, reserved)
    sizes = Counter(category(a) for a in applicants)
    gn, gp, on, op = (sizes[c] for c in CATEGORIES)
    new, prior = gn + on, gp + op
    places = min(places, new + prior)
    floor = min(reserved, gn + gp)
    # A plain lottery fills the new tier first; only the tier that is cut is random, and the
    # number of group members it chooses there is hypergeometric.
    cut_new = places <= new
    tier, tier_group, taken = (new, gn, places) if cut_new else (prior, gp, places - new)
    expected = [0.0, 0.0, 0.0, 0.0]
    for k in range(max(0, taken - (tier - tier_group)), min(taken, tier_group) + 1):
        weight = (math.comb(tier_group, k) * math.comb(tier - tier_group, taken - k)
                  / math.comb(tier, taken))
        counts = [k, 0, taken - k, 0] if cut_new else [gn, k, on, taken - k]
        if counts[0] + counts[1] < floor:  # the reserve binds: best-ranked group, then others
            group_new = min(floor, gn)
            other_new = min(places - floor, on)
            counts = [group_new, floor - group_new, other_new, places - floor - other_new]
        for i, count in enumerate(counts):
            expected[i] += weight * count
    return {c: expected[i] / sizes[c] for i, c in enumerate(CATEGORIES) if sizes[c]}
