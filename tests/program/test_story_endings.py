"""The mail that ends a story reaches those who left the year early: a pause holds back
reminders, not the end ('reaches_paused: true'); 'withdrawn' is a date rules count from."""

from __future__ import annotations

from datetime import datetime

from mailflow.config.dates import CalendarConfig
from mailflow.program import participants
from mailflow.program.scheduled import load_scheduled
from tests.program.year import ZONE, Run

PAUSED = "mentee0@example.org"


def pause_until(run: Run, address: str, day: str) -> None:
    with run.program.store.transaction():
        person = participants.find(run.program.store, address)
        run.program.store.table("participants").update({"paused_until": day},
                                                       doc_ids=[person.doc_id])


def queued(run: Run, address: str, template: str) -> bool:
    return any(i.recipients == [address] and i.meta.get("template") == template
               for i in run.program.outbox.items.values())


def test_someone_paused_past_the_end_still_hears_that_the_program_ended(run):
    pause_until(run, PAUSED, "2028-01-15")
    run.ticks(datetime(2027, 11, 30, 8, 0, tzinfo=ZONE), datetime(2027, 11, 30, 10, 0, tzinfo=ZONE))
    assert queued(run, PAUSED, "program_end")
    assert participants.find(run.program.store, PAUSED)["status"] == "completed"


def test_a_pause_still_holds_back_the_check_ins_and_surveys(run):
    pause_until(run, PAUSED, "2027-07-01")
    run.ticks(datetime(2027, 6, 1, 8, 0, tzinfo=ZONE), datetime(2027, 6, 1, 10, 0, tzinfo=ZONE))
    assert queued(run, "mentee2@example.org", "survey_invitation")
    assert not queued(run, PAUSED, "survey_invitation")


def test_a_rule_may_count_from_the_day_someone_was_withdrawn(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "endings.yaml").write_text(
        "rules:\n  - name: thanks\n    at: {after: withdrawn, offsets: [1d]}\n"
        "    reaches_paused: true\n    to: {status: withdrawn}\n"
        "    do:\n      - send: program_end_withdrawn\n", encoding="utf-8")
    [rule] = load_scheduled(rules, None, CalendarConfig(ZONE))
    assert rule.trigger.date == "withdrawn" and rule.trigger.of_participant  # type: ignore[union-attr]
    assert rule.reaches_paused
