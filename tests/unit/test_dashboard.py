"""The digest's figures: funnel, response rates, review ages, mail in trouble, next week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from mailflow.outbound.outbox import OutboxItem
from mailflow.parsing.expects import Expects
from mailflow.program import dashboard
from mailflow.program.coordination.review import ReviewItem

SENT = datetime(2027, 6, 1, 13, 0, tzinfo=UTC)
NOW = datetime(2027, 6, 7, 12, 0, tzinfo=UTC)
SURVEYS = {"midpoint": {"en": "Midpoint", "fr": "Mi-parcours"}, "final": {"en": "Final"}}


def mail(to: str, expects: str | None = "survey:midpoint", rule: str = "survey-midpoint",
         state: str = "sent", at: datetime = SENT, error: str | None = None) -> OutboxItem:
    meta = {"template": rule.replace("-", "_"), "rule": rule}
    if expects:
        meta["expects"] = expects
    return OutboxItem(id=f"{rule}-{to}-{at.date()}", key=f"{rule}|{to}", recipients=[to],
                      envelope_from="b@x", message_id="<m>", subject="Survey", kind="scheduled",
                      participant=to, state=state, created=at.timestamp(),
                      updated=at.timestamp(), error=error, meta=meta)


def counts(steps: tuple[dashboard.Step, ...]) -> dict[str, int]:
    return {s.key: s.count for s in steps}


def test_the_funnel_counts_everyone_who_reached_each_stage_in_order():
    people = [{"role": "mentee", "status": "applicant"},
              {"role": "mentee", "status": "introduced", "last_meeting": "2027-05-02",
               "surveys": {"midpoint": {"1": "4"}}},
              {"role": "mentor", "status": "matched"}]

    steps = dashboard.funnel(people, SURVEYS)

    assert counts(steps) == {"applied": 3, "selected": 2, "matched": 2, "introduced": 1,
                             "met": 1, "survey:midpoint": 1, "survey:final": 0}


def test_the_funnel_keeps_counting_a_stage_after_the_person_withdrew():
    withdrawn = {"role": "mentee", "status": "withdrawn", "selected": "2027-01-25",
                 "matched": "2027-02-12"}

    assert counts(dashboard.funnel([withdrawn], {}))["matched"] == 1


def test_the_funnel_splits_each_stage_by_role():
    people = [{"role": "mentee", "status": "selected"}, {"role": "mentor", "status": "selected"},
              {"role": "mentor", "status": "applicant"}]

    selected = dashboard.funnel(people, {})[1]

    assert (selected.mentees, selected.mentors, selected.percent) == (1, 1, 67)


def test_funnel_bars_are_as_wide_as_their_share_of_the_widest_and_never_vanish():
    people = [{"role": "mentee", "status": "applicant"} for _ in range(199)]
    people.append({"role": "mentee", "status": "selected"})

    widths = [s.width for s in dashboard.funnel(people, {})]

    assert widths == [100, 1, 0, 0, 0]


def test_survey_steps_carry_their_titles_by_language():
    steps = dashboard.funnel([{"role": "mentee"}], SURVEYS)

    assert steps[5].titles == {"en": "Midpoint", "fr": "Mi-parcours"}


def test_a_survey_counts_as_answered_when_the_record_holds_its_answers():
    expects = Expects("survey", "midpoint")

    assert dashboard.answered(expects, {"surveys": {"midpoint": {}}}, SENT, [])
    assert not dashboard.answered(expects, {"surveys": {"final": {}}}, SENT, [SENT])


def test_a_meeting_question_counts_as_answered_by_a_meeting_since_it_was_sent():
    expects = Expects("meeting")

    assert dashboard.answered(expects, {"last_meeting": "2027-06-03"}, SENT, [])
    assert not dashboard.answered(expects, {"last_meeting": "2027-05-20"}, SENT, [])


def test_other_questions_count_as_answered_by_any_message_after_them():
    expects = Expects("acceptance")

    assert dashboard.answered(expects, {}, SENT, [SENT + timedelta(hours=2)])
    assert not dashboard.answered(expects, {}, SENT, [SENT - timedelta(days=1)])


def test_a_response_rate_is_the_share_of_a_mailing_s_recipients_who_answered():
    people = {"a@x": {"surveys": {"midpoint": {}}}, "b@x": {}, "c@x": {}, "d@x": {}}

    [rate] = dashboard.rates([mail(p) for p in people], people, {}, UTC)

    assert (rate.rule, rate.day, rate.sent, rate.answered, rate.percent) == \
        ("survey-midpoint", "2027-06-01", 4, 1, 25)


def test_response_rates_list_the_latest_mailings_first_and_only_a_few():
    outgoing = [mail("a@x", "choices", "choices", at=SENT - timedelta(days=d))
                for d in range(0, 80, 10)]

    listed = dashboard.rates(outgoing, {}, {}, UTC, shown=3)

    assert [r.day for r in listed] == ["2027-06-01", "2027-05-22", "2027-05-12"]


def test_response_rates_leave_out_mail_not_sent_and_mail_asking_nothing():
    outgoing = [mail("a@x", state="pending"), mail("b@x", expects=None),
                mail("c@x", expects="review:3")]

    assert dashboard.rates(outgoing, {}, {}, UTC) == ()


def test_mail_in_doubt_or_failed_is_listed_and_nothing_else():
    outgoing = [mail("a@x", state="failed", error="550 no such user"),
                mail("b@x", state="unknown"), mail("c@x"), mail("d@x", state="pending")]

    listed = dashboard.trouble(outgoing, UTC)

    assert [(t.to, t.state, t.error) for t in listed] == [
        ("a@x", "failed", "550 no such user"), ("b@x", "unknown", "")]


def test_open_review_items_are_listed_with_their_age_and_resolved_ones_are_not():
    review = [ReviewItem(created=(NOW - timedelta(days=3)).isoformat(), sender="a@x",
                         problems=["empty message"]),
              ReviewItem(created=(NOW - timedelta(hours=5)).isoformat(), sender="b@x",
                         resolved=True)]

    listed = dashboard.waiting(review, NOW, UTC)

    assert [(w.who, w.age, w.reason) for w in listed] == [("a@x", "3 d", "empty message")]


@dataclass
class Planned:
    when: datetime
    template: str


def test_next_week_s_mail_is_counted_by_day_and_template():
    planned = [Planned(SENT, "survey_reminder"), Planned(SENT, "survey_reminder"),
               Planned(SENT + timedelta(days=1), "tips/06-june")]

    listed = dashboard.coming(planned, UTC)

    assert [(c.day, c.template, c.count) for c in listed] == [
        ("2027-06-01", "survey_reminder", 2), ("2027-06-02", "tips/06-june", 1)]
