"""An erasure cancels mail still waiting for the person, and the program opens again after it."""

from __future__ import annotations

from datetime import UTC, datetime

from mailflow.outbound.mailer import Recipient
from mailflow.program import participants
from tests.program.year import run  # noqa: F401  (the fixture)

WHO = "mentee0@example.org"


def pending_for(run, email: str) -> list:  # noqa: F811
    return [i for i in run.program.outbox.items.values()
            if i.state == "pending" and email in i.recipients]


def test_a_program_whose_erasure_cancelled_mail_opens_again(run):  # noqa: F811
    run.program.mailer.queue(rule="monthly-tip", occasion="2027-01", template="data_erased",
                             to=Recipient(WHO, "Mentee", "en"),
                             context={"person": {"name": "Mentee"}}, kind="scheduled")
    assert pending_for(run, WHO)
    store = run.program.store
    run.program.handler.privacy.erase(participants.find(store, WHO), "maildir:1",
                                      datetime(2027, 1, 10, tzinfo=UTC))

    run.restart()

    assert [i.key.split("|")[0] for i in pending_for(run, WHO)] == ["data-erased"]  # last word
    assert any(i.state == "cancelled" and WHO in i.recipients
               for i in run.program.outbox.items.values())
