"""Using the program as a reflector: more automatic answers to one mailbox than the budget."""

from __future__ import annotations

from datetime import datetime

from tests.program.year import ZONE, Run

DAY = datetime(2027, 1, 5, 10, 0, tzinfo=ZONE)


def stranger(sender: str, n: int) -> bytes:
    return (f"From: Someone <{sender}>\r\nTo: mentorship@northlake.example.org\r\n"
            f"Subject: joining\r\nMessage-ID: <r{n}@attacker.example>\r\n"
            "Date: Tue, 05 Jan 2027 10:00:00 -0500\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            "Hello, I would like to join the mentorship program.\r\n").encode()


def answers_to(run: Run, senders: list[str], mailbox: str) -> int:
    for n, sender in enumerate(senders):
        with run.program.store.transaction():
            run.program.handler.handle({"key": f"reflect:{n}"}, stranger(sender, n), DAY)
    return sum(1 for i in run.program.outbox.items.values()
               if i.kind == "reply" and i.recipients == [mailbox])


def test_unicode_spellings_of_one_domain_share_one_answer_budget(run):
    spellings = ["victim@exämple.net", "victim@ｅxämple.net", "victim@eｘämple.net",
                 "victim@exａmple.net", "victim@ｅｘämple.net", "victim@exämpｌe.net"]

    assert answers_to(run, spellings, "victim@xn--exmple-cua.net") <= 3


def test_plus_addressed_variants_of_one_mailbox_share_one_answer_budget(run):
    senders = [f"victim+{n}@example.net" for n in range(6)]
    answers_to(run, senders, "victim@example.net")
    count = sum(1 for i in run.program.outbox.items.values()
                if i.kind == "reply" and i.recipients[0].startswith("victim+"))

    assert count <= 3


def test_case_variants_of_one_address_share_one_answer_budget(run):
    spellings = ["Victim@Example.NET", "victim@example.net", "VICTIM@EXAMPLE.NET",
                 "victim@Example.Net"]

    assert answers_to(run, spellings, "victim@example.net") <= 1
