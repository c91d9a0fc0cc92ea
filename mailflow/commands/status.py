"""``mailflow status`` and ``mailflow review``: the program at a glance."""

from __future__ import annotations

from collections import Counter

from mailflow.runtime import Program


def status_text(program: Program) -> str:
    """Participants by role and status, mail in and out by state, what waits for review."""
    people = program.store.table("participants").all()
    inbound = Counter(e.get("state") for e in program.store.table("inbound").all())
    outbox = program.outbox.counts()
    waiting = [r for r in program.store.table("review").all() if not r.get("resolved")]
    by_role = Counter((p.get("role") or "unknown", p.get("status") or "?") for p in people)
    lines = [f"{program.config.name} <{program.config.address}>",
             f"participants: {len(people)}"]
    lines += [f"  {role} / {status}: {n}" for (role, status), n in sorted(by_role.items())]
    lines.append("mail in: " + (", ".join(f"{k} {v}" for k, v in sorted(inbound.items()))
                                or "none"))
    lines.append("mail out: " + (", ".join(f"{k} {v}" for k, v in sorted(outbox.items()))
                                 or "none"))
    if outbox.get("unknown"):
        lines.append(f"  {outbox['unknown']} mail(s) of unknown fate: check with the recipient "
                     "before sending again")
    lines.append(f"waiting for review: {len(waiting)}")
    return "\n".join(lines)


def review_text(program: Program) -> str:
    """Every unresolved review item, oldest first."""
    waiting = [r for r in program.store.table("review").all() if not r.get("resolved")]
    if not waiting:
        return "nothing waits for review"
    lines = []
    for item in sorted(waiting, key=lambda r: r.get("created") or ""):
        lines.append(f"{item.get('created', '')[:16]}  {item.get('sender') or '?'}  "
                     f"{item.get('subject') or ''}  [{item['inbound']}]")
        lines += [f"    - {problem}" for problem in item.get("problems", [])]
    return "\n".join(lines)
