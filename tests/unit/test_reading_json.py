"""Reading.to_json, the 'mailflow parse --json' contract: the readers' parts print flat,
under the keys and in the order they had before the parts."""

from __future__ import annotations

from mailflow.parsing.reading import (
    Bounce,
    CoordinatorMail,
    MeetingReport,
    Reading,
    ReviewDecisions,
    SurveyAnswers,
)

KEYS = ["kind", "sender", "participant", "sender_name", "subject", "message_id",
        "answers_item", "expects", "authenticated", "evidence", "language", "reply_text",
        "probably", "needs_review", "problems", "choices", "meeting", "meetings", "survey",
        "command", "until", "edits", "proposal", "pending", "bounced_recipient",
        "bounce_status", "attendance", "concerns", "coordinator_commands", "preview",
        "review_notice", "review_actions", "concern", "application"]


def _filled(kind: str) -> Reading:
    return Reading(
        kind=kind, sender="lea@example.org",
        meeting=MeetingReport({"met": True, "date": "2026-03-02"}, [{"with": "a@example.org"}]),
        survey=SurveyAnswers("midpoint", {1: 4}),
        bounce=Bounce("lea@example.org", "temporary"),
        coordinator=CoordinatorMail([{"name": "status"}], "out-7"),
        review=ReviewDecisions(3, [{"verb": "apply"}]))


def test_the_keys_and_their_order_are_the_contract():
    assert list(_filled("unknown").to_json()) == KEYS
    survey = KEYS.copy()
    survey.insert(KEYS.index("survey") + 1, "survey_answers")  # for a survey only
    assert list(_filled("survey").to_json()) == survey


def test_the_parts_print_flat_under_their_old_keys():
    data = _filled("survey").to_json()
    assert (data["meeting"], data["meetings"]) == ({"met": True, "date": "2026-03-02"},
                                                   [{"with": "a@example.org"}])
    assert (data["survey"], data["survey_answers"]) == ("midpoint", {1: 4})
    assert (data["bounced_recipient"], data["bounce_status"]) == ("lea@example.org",
                                                                  "temporary")
    assert (data["coordinator_commands"], data["preview"]) == ([{"name": "status"}], "out-7")
    assert (data["review_notice"], data["review_actions"]) == (3, [{"verb": "apply"}])


def test_an_empty_reading_prints_the_parts_empty():
    data = Reading(kind="unknown", sender=None).to_json()
    assert (data["meeting"], data["meetings"], data["survey"]) == (None, [], None)
    assert (data["bounced_recipient"], data["bounce_status"], data["preview"]) == (None,) * 3
    assert (data["coordinator_commands"], data["review_notice"], data["review_actions"]) == (
        [], None, [])
