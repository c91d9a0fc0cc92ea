"""Rate what mailflow did with a conversation against what its writer expects.

**correct**: what was recorded is what the text says (or nothing, and a person reviews
it where review is allowed or required), and the mail sent in answer fits.
**flagged**: sent to review where the reply is clear (``review: forbidden``), nothing
wrong applied: it costs a coordinator a minute. **wrong**: anything recorded that the
text does not say, a required review not done, a reply neither applied nor reviewed,
an answer that does not fit (an acknowledgement of the wrong thing, a clarification
without review). A concern (a question for a person) is raised when a concern notice
goes to the coordinators; one that only reaches a person as a review is flagged, one
that reaches nobody is wrong. A concern raised where the writer saw none costs a
coordinator a minute: flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.conversations.harness import Observation

TRACKED = ("choices", "meetings", "surveys", "opted_out", "paused_until", "status", "role",
           "fields")
COMMAND_FIELDS = {"stop": ("opted_out", True), "start": ("opted_out", False),
                  "resume": ("paused_until", None)}
ACKNOWLEDGEMENT = {"choices": "choices_received", "survey": "survey_received",
                   "command:stop": "unsubscribed", "command:pause": "paused",
                   "command:resume": "resumed"}
# A form's yes/no field is read at use time whatever the language (commands/selection.py):
# 'non' records the same answer as the writer's 'no'.
YES_NO = {"yes": "yes", "oui": "yes", "sí": "yes", "si": "yes", "ja": "yes",
          "no": "no", "non": "no", "nein": "no"}
REQUIRED_FIELDS = {"mentee": {"name", "affiliation", "goals"},
                   "mentor": {"name", "affiliation", "expertise"}}


@dataclass(frozen=True)
class Verdict:
    """The rating of one case, with what was expected and what mailflow concluded."""

    case: str
    client: str
    language: str
    expected: str
    got: str
    verdict: str          # correct | flagged | wrong
    reason: str
    concern: bool


def norm(value: Any) -> Any:
    """A recorded value as words: yes/no for booleans, whitespace collapsed, None kept."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    return " ".join(str(value).split())


def norm_field(value: Any) -> Any:
    """A form field as words; a yes or no in any language is its English word."""
    text = norm(value)
    return YES_NO.get(text.lower().strip(".!"), text) if isinstance(text, str) else text


def expected_record(expect: dict[str, Any]) -> dict[str, Any]:
    """What the writer expects the reply to change in the record, in the judge's terms."""
    kind = expect["kind"]
    if expect.get("no_change") or kind in ("unknown", "auto_reply", "concern"):
        return {}
    if kind == "choices":
        return {"choices": list(expect.get("choices") or [])}
    if kind == "meeting":
        return {"meetings": sorted((m["with"] or "", m["met"], norm(m["date"]))
                                   for m in expect["meetings"])}
    if kind == "survey":
        survey = expect["survey"]
        return {"surveys": {survey["key"]: {int(k): norm(v)
                                            for k, v in survey["answers"].items()}}}
    if kind == "command":
        command = expect["command"]
        if command["name"] == "pause":
            return {"paused_until": norm(command["until"])}
        name, value = COMMAND_FIELDS[command["name"]]
        return {name: value}
    if kind == "application":
        application = expect["application"]
        return {"status": "applicant", "role": application["role"],
                "fields": {k: norm_field(v) for k, v in application["fields"].items()}}
    raise ValueError(f"unknown expected kind {kind!r}")


def partner(obs: Observation, record: dict[str, Any]) -> str:
    """Whom a recorded meeting (which names nobody) is with: the one partner, if one."""
    others = ([record["mentor"]] if record.get("mentor")
              else list(record.get("mentees") or []))
    return obs.people[others[0]]["name"] if len(others) == 1 and others[0] in obs.people else ""


def observed_record(obs: Observation, before: dict | None, after: dict | None
                    ) -> dict[str, Any]:
    """What the replies changed in the sender's record, in the judge's terms."""
    before, after = before or {}, after or {}
    changed: dict[str, Any] = {}
    for name in TRACKED:
        if before.get(name) == after.get(name) and name not in obs.set_fields:
            continue
        value = after.get(name)
        if name == "choices":
            value = [obs.people.get(e, {}).get("name", e) for e in value or []]
        elif name == "meetings":
            new = (value or [])[len(before.get("meetings") or []):]
            value = sorted((obs.people.get(m["with"], {}).get("name", m["with"]) if m.get("with")
                            else partner(obs, after), m.get("met"), norm(m.get("date")))
                           for m in new)
        elif name == "surveys":
            value = {key: {int(k): norm(v) for k, v in answers.items()}
                     for key, answers in (value or {}).items()
                     if answers != (before.get("surveys") or {}).get(key)}
        elif name == "fields":
            value = {k: norm_field(v) for k, v in (value or {}).items()}
        elif name == "paused_until":
            value = norm(value)
        changed[name] = value
    return changed


def describe(record: dict[str, Any]) -> str:
    return "; ".join(f"{k}={v}" for k, v in record.items()) or "nothing"


def got_kind(obs: Observation) -> str:
    kinds = []
    for handled in obs.handled:
        kind = handled.kind
        if handled.command:
            kind += f":{handled.command}"
        kinds.append(kind + (" (review)" if handled.review else ""))
    return " + ".join(kinds) or "-"


def allowed_answers(expect: dict[str, Any], reviewed: bool, pending: bool) -> set[str]:
    """The templates that may answer the sender of this reply."""
    kind = expect["kind"]
    allowed = set()
    if kind == "command":
        allowed.add(ACKNOWLEDGEMENT.get(f"command:{expect['command']['name']}", ""))
    elif kind == "application":
        application = expect["application"]
        complete = REQUIRED_FIELDS[application["role"]] <= set(application["fields"])
        allowed.add("application_received" if complete else "application_incomplete")
    elif kind in ACKNOWLEDGEMENT:
        allowed.add(ACKNOWLEDGEMENT[kind])
    if reviewed:
        allowed.add("clarification")
    if pending:
        allowed.add("confirm_change")
    allowed.add("concern_received")  # judged by whether a concern was meant (see judge)
    return allowed - {""}


def judge(obs: Observation) -> Verdict:
    """Rate one observed conversation."""
    case, expect = obs.case, obs.case.expect
    concern = bool(expect.get("concern"))

    raised = obs.raised  # was: a concern_notice mail; concerns now wait for the notice

    def verdict(name: str, reason: str) -> Verdict:
        if concern and raised and name != "wrong":
            reason = "concern raised" + (f" ({reason})" if reason else "")
        elif raised and name == "correct":
            name, reason = "flagged", "a concern raised that the writer did not mean"
        elif concern and name != "wrong":
            if obs.reviewed:
                name, reason = "flagged", "concern reached a person only as a review" + (
                    f" ({reason})" if reason else "")
            else:
                name, reason = "wrong", "concern not raised: nobody will read the question" + (
                    f" ({reason})" if reason else "")
        return Verdict(case.name, case.client, case.language, expect["kind"], got_kind(obs),
                       name, reason, concern)

    if obs.error:
        return verdict("wrong", f"the run failed: {obs.error}")
    pending = any(h.command == "confirm" for h in obs.handled)
    reviewed = obs.reviewed or pending
    problems = "; ".join(p for h in obs.handled for p in h.problems if p != "empty body")
    wanted, seen = expected_record(expect), observed_record(obs, obs.before, obs.after)
    later_in_review = False
    if seen and seen != wanted:
        if (len(obs.handled) > 1 and obs.handled[-1].review and obs.middle == obs.after):
            later_in_review = True  # the first reply was applied, its correction waits
        else:
            return verdict("wrong", f"recorded {describe(seen)}; the text says "
                                    f"{describe(wanted)}")
    if wanted and not seen and not reviewed:
        return verdict("wrong", f"nothing recorded and not sent to review (read as "
                                f"{got_kind(obs)}{': ' + problems if problems else ''})")
    if expect["review"] == "required" and not reviewed:
        return verdict("wrong", f"review required, not done; recorded {describe(seen)}")
    to_sender = [a for a in obs.answers if obs.sender in a.to]
    allowed = allowed_answers(expect, reviewed, pending)
    stray = [a.template for a in to_sender if a.template not in allowed]
    if stray:
        return verdict("wrong", f"answered with {', '.join(stray)}")
    ack = next(iter(allowed - {"clarification", "confirm_change", "concern_received"}), None)
    if seen == wanted and wanted and ack and not any(a.template == ack for a in to_sender):
        return verdict("wrong", f"applied but not acknowledged ({ack} not sent)")
    if pending:
        reason = "the command waits for a confirmation of the address"
        return verdict("flagged" if expect["review"] == "forbidden" else "correct", reason)
    if reviewed and expect["review"] == "forbidden":
        what = "the correction waits in review" if later_in_review else "sent to review"
        if expect["kind"] == "auto_reply" and to_sender:
            what += " (and the automatic reply was answered with a clarification)"
        return verdict("flagged", f"{what}: {problems}")
    if later_in_review:
        return verdict("correct", f"the correction waits in review: {problems}")
    return verdict("correct", f"in review: {problems}" if reviewed else "")
