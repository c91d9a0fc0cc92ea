"""The example cohort's calendar over a whole simulated year, with a fixed clock."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

from mailflow.program import participants
from tests.program.cohort_year import days_with_housekeeping
from tests.program.year import END, START, ZONE, Run, new_program, roster


def planned(run: Run, assume_replies: bool = False):
    return run.program.scheduler.plan(START, END, assume_replies=assume_replies)


def sent_items(run: Run):
    return [i for i in run.program.outbox.items.values() if i.kind != "notice"]


def test_every_planned_mail_fires_once_on_time(run):
    plan = planned(run)
    run.ticks(START, END)
    fired = {(f["rule"], f["recipient"], f["due"][:16]) for f in run.firings()}
    expected = {(p.rule, p.to, p.when.isoformat()[:16]) for p in plan if p.to != "coordinators"}
    assert expected <= fired
    for firing in run.firings():
        lateness = datetime.fromisoformat(firing["at"]) - datetime.fromisoformat(firing["due"])
        assert timedelta(0) <= lateness < timedelta(hours=1), firing


def test_no_person_gets_the_same_mail_twice_in_a_day(run):
    # The outbox keys are unique by construction; what must not happen is the same
    # template reaching the same person twice on one day under two spellings of a key.
    run.ticks(START, END)
    sent = Counter((i.recipients[0], i.meta["template"],
                    datetime.fromtimestamp(i.created).date()) for i in sent_items(run))
    assert sent and max(sent.values()) == 1, sent.most_common(3)


def test_mail_goes_out_in_the_participants_language(run):
    run.ticks(datetime(2027, 3, 1, 8, 0, tzinfo=ZONE), datetime(2027, 3, 1, 10, 0, tzinfo=ZONE))
    tips = {i.recipients[0]: i for i in sent_items(run) if i.meta["rule"] == "monthly-tip"}
    assert tips["mentee1@example.org"].subject.startswith("Conseil")
    assert tips["mentee0@example.org"].subject.startswith("Mentoring tip")


def test_the_whole_year_of_tips_never_repeats_a_tip(run):
    run.ticks(START, END)
    for person in participants_of(run, "introduced", "completed"):
        sent = person.get("sequences", {}).get("tips", [])
        assert len(sent) == 9 and len(set(sent)) == 9


def participants_of(run: Run, *statuses: str) -> list[dict]:
    return [p for p in run.program.store.table("participants").all()
            if p.get("status") in statuses]


def test_a_restart_on_any_day_repeats_nothing(tmp_path):
    straight = Run.open(new_program(tmp_path / "a"))
    roster(straight.program)
    straight.ticks(START, END)
    restarted = Run.open(new_program(tmp_path / "b"))
    roster(restarted.program)
    # Restarts on 20 days drawn at random (seeded) and on the busiest days of the year.
    days = sorted({START + timedelta(days=d) for d in random.Random(7).sample(range(379), 20)}
                  | {datetime(2027, m, d, tzinfo=ZONE) for m, d in
                     ((2, 8), (2, 9), (3, 1), (6, 1), (11, 8), (11, 30))})
    begin = START
    for day in days:
        restarted.ticks(begin, day + timedelta(hours=9, minutes=30))
        restarted.restart()
        begin = day + timedelta(hours=10)
    restarted.ticks(begin, END)
    assert sorted(i.key for i in restarted.program.outbox.items.values()) == sorted(
        i.key for i in straight.program.outbox.items.values())
    straight.close()
    restarted.close()


def test_daily_housekeeping_over_a_year_repeats_no_firing(run):
    # Past retention.history_days firings are removed: none may then be made again.
    made: list[str] = []
    days_with_housekeeping(run, START, END - timedelta(days=1), made, 0)

    assert len(run.program.store.table("firings")) < len(made) / 2  # old ones went
    assert made and max(Counter(made).values()) == 1, Counter(made).most_common(3)


def test_a_daemon_down_for_a_week_follows_each_rules_catch_up_policy(run):
    down, up = datetime(2027, 3, 29, 0, 0, tzinfo=ZONE), datetime(2027, 4, 5, 12, 0, tzinfo=ZONE)
    run.ticks(START, down)
    run.ticks(up, END)
    fired = {(f["rule"], f["occasion"]) for f in run.firings()}
    skipped = {(f["rule"], f["occasion"]) for f in run.firings("skipped")}
    # The tip of Monday 5 April was 3.5 h late: within its 3-day catch-up, it went out.
    assert ("monthly-tip", "2027-04-05") in fired
    # The check-in invitation due on 5 April 12:00 went out: it fired on time at 12:00.
    assert ("checkin-1-invitation", "checkin_1-7d") in fired
    # The digests of Monday 29 March fell in the down time: past their one-day catch-up.
    assert ("weekly-digest", "2027-03-29") in skipped


def test_a_reminder_is_not_sent_after_its_deadline_has_passed(run):
    deadline_passed = datetime(2027, 1, 2, 9, 0, tzinfo=ZONE)
    run.ticks(START, datetime(2026, 12, 20, 0, 0, tzinfo=ZONE))
    run.ticks(deadline_passed, deadline_passed)
    reminders = [f for f in run.firings() + run.firings("skipped")
                 if f["rule"] == "applications-closing" and f["occasion"].endswith("-1d")]
    assert reminders and all(f["state"] == "skipped" for f in reminders)


def test_an_opted_out_participant_gets_no_tips_but_still_gets_surveys(run):
    with run.program.store.transaction():
        participants.set_fields(run.program.store, "mentee0@example.org", {"opted_out": True},
                                "test", START.isoformat())
    run.ticks(START, END)
    rules = {f["rule"] for f in run.firings() if f["recipient"] == "mentee0@example.org"}
    assert "monthly-tip" not in rules
    assert {"midpoint-survey", "final-survey"} <= rules


def test_a_paused_participant_gets_nothing_until_the_pause_ends(run):
    with run.program.store.transaction():
        participants.set_fields(run.program.store, "mentor0@example.org",
                                {"paused_until": "2027-07-01"}, "test", START.isoformat())
    run.ticks(START, END)
    dues = [f["due"] for f in run.firings() if f["recipient"] == "mentor0@example.org"]
    assert dues and min(dues) >= "2027-07-01"


def test_an_out_of_office_postpones_a_reminder_to_the_return(run):
    with run.program.store.transaction():
        participants.set_fields(run.program.store, "mentee2@example.org",
                                {"away_until": "2027-03-25"}, "test", START.isoformat())
    run.ticks(START, datetime(2027, 4, 30, tzinfo=ZONE))
    [check] = [f for f in run.firings() if f["recipient"] == "mentee2@example.org"
               and f["rule"] == "first-meeting-check"]
    assert check["at"].startswith("2027-03-25T09")


def test_a_participant_who_answered_gets_no_reminder(run):
    with run.program.store.transaction():
        participants.set_fields(run.program.store, "mentee3@example.org",
                                {"surveys": {"midpoint": {"1": 4}}}, "test", START.isoformat())
    run.ticks(START, END)
    rules = Counter(f["rule"] for f in run.firings() if f["recipient"] == "mentee3@example.org")
    assert rules["midpoint-survey-reminder"] == 0
    assert rules["final-survey-reminder"] == 2


def test_the_plan_with_replies_assumed_has_no_reminders(run):
    rules = {p.rule for p in planned(run, assume_replies=True)}
    assert "midpoint-survey-reminder" not in rules and "monthly-tip" in rules


def test_a_rule_can_stop_another_rule_for_one_person(run):
    with run.program.store.transaction():
        person = participants.find(run.program.store, "mentee0@example.org")
        participants.stop_rules(run.program.store, dict(person), ["monthly-tip"], "test",
                                START.isoformat())
    run.ticks(START, END)
    got = {f["rule"] for f in run.firings() if f["recipient"] == "mentee0@example.org"}
    assert "monthly-tip" not in got and "midpoint-survey" in got
