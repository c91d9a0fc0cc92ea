"""The chain's order by name (the order is the business rule: a change here is a decision),
the kinds each reader declares, and one way of recording any reader's failure."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from mailflow.parsing import readers, understand
from mailflow.parsing.decode import decode_message
from mailflow.parsing.understand import CHAIN, KINDS, SECOND_OPINIONS, STEPS
from mailflow.program.rules import CONDITIONS
from tests.parsing.context import reading_context

# (name, reader function, the module that declares it), in the order they run.
ORDER = [
    ("own mail", "own_mail", "machine"),
    ("bounce", "bounce", "machine"),
    ("feedback report", "feedback", "machine"),
    ("no sender", "no_sender", "machine"),
    ("who and which thread", "_attribute", None),
    ("auto-reply", "auto_reply", "machine"),
    ("answer to our event invitation", "attendance", "machine"),
    ("answer to a review notice", "review_answer", "commands"),
    ("coordinator's approval", "approval", "commands"),
    ("coordinator's mail", "coordinator", "commands"),
    ("confirmation", "confirmation", "commands"),
    ("command", "command", "commands"),
    ("request to leave the program", "leaving", "commands"),
    ("mentor's YES or NO", "acceptance", "commands"),
    ("expected answer", "expected", "expected"),
    ("application form", "form", "application"),
    ("unexpected content", "unexpected", "unexpected"),
    ("anything else", "leftover", "unexpected"),
]
SECOND = [
    ("a question or a call for help", "concern", "unexpected"),
    ("an answer inside an automatic reply", "answer_in_auto_reply", "expected"),
    ("nothing of what was asked", "nothing_found", "unexpected"),
]


def _where(reader) -> tuple[str, str, str | None]:
    module = reader.__module__
    return (reader.__name__, module.rsplit(".", 1)[-1] if module.startswith(
        "mailflow.parsing.readers.") else None)


def test_the_chain_runs_in_this_order():
    assert [(name, *_where(reader)) for name, reader in CHAIN] == ORDER


def test_the_second_opinions_run_after_the_chain_in_this_order():
    assert [(name, *_where(reader)) for name, reader in SECOND_OPINIONS] == SECOND
    assert [s.name for s in STEPS] == [n for n, *_ in ORDER + SECOND]


def test_the_kinds_are_those_the_readers_declare_and_the_rules_accept():
    assert set(KINDS) == {"application", "choices", "meeting", "survey", "coordinator_cc",
                          "command", "concern", "attendance", "auto_reply", "bounce",
                          "feedback", "unknown"}
    assert CONDITIONS["message"] == set(KINDS)


def _reader_modules():
    for info in pkgutil.iter_modules(readers.__path__):
        yield importlib.import_module(f"{readers.__name__}.{info.name}")


@pytest.mark.parametrize("module", list(_reader_modules()), ids=lambda m: m.__name__)
def test_a_module_concludes_only_the_kinds_its_steps_declare(module):
    """Every ``….kind = "…"`` written in a reader module is a kind one of its steps declares:
    a new kind is declared where it is read, and nowhere else."""
    written = set()
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, ast.Assign):
            targets = [t for target in node.targets
                       for t in (target.elts if isinstance(target, ast.Tuple) else [target])]
            values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
            for target, value in zip(targets, values, strict=False):
                if (isinstance(target, ast.Attribute) and target.attr == "kind"
                        and isinstance(value, ast.Constant)):
                    written.add(value.value)
    declared = {kind for step in module.STEPS for kind in step.kinds}
    assert written, "a reader module concludes some kind"
    assert written <= declared
    assert module.__doc__ and module.__doc__.strip()


def test_the_steps_have_distinct_places_and_names():
    with pytest.raises(ValueError, match="share a place: 10"):
        understand._ordered([readers.Step(10, "a", CHAIN[0][1]), readers.Step(10, "b",
                                                                              CHAIN[0][1])])
    with pytest.raises(ValueError, match="share a name: a"):
        understand._ordered([readers.Step(10, "a", CHAIN[0][1]), readers.Step(20, "a",
                                                                              CHAIN[0][1])])


LEA = {"email": "lea.gagnon@example.com", "name": "Léa Gagnon", "role": "mentee",
       "status": "selected", "language": "en"}
OURS = SimpleNamespace(id="c" * 24, message_id="choices-1@northlake.example.org",
                       recipients=[LEA["email"]], meta={"expects": "choices"})
MAIL = ("From: Léa Gagnon <lea.gagnon@example.com>\r\nTo: mentorship@northlake.example.org\r\n"
        "Subject: Re: Your top 3 mentors\r\nMessage-ID: <r1@mail.example.com>\r\n"
        f"In-Reply-To: <{OURS.message_id}>\r\nDate: Tue, 09 Feb 2027 10:00:00 -0500\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nChen Wei, please. Any news?\r\n"
        ).encode()


def _broken(*_args):
    raise ZeroDivisionError("bug")


def _passes(*_args):
    return False


@pytest.fixture
def ctx(tmp_path: Path):
    return reading_context(tmp_path, [LEA, {"email": "chen.wei@example.org", "name": "Chen Wei",
                                            "role": "mentor"}], [OURS])


@pytest.mark.parametrize("index", range(len(CHAIN)), ids=[name for name, _ in CHAIN])
def test_any_reader_that_raises_is_recorded_one_way(ctx, monkeypatch, index):
    """Caught in ``understand`` alone: review, unanswered, the step and the error named."""
    name = CHAIN[index][0]
    chain = (*((n, _passes) for n, _ in CHAIN[:index]), (name, _broken), *CHAIN[index + 1:])
    monkeypatch.setattr(understand, "CHAIN", chain)
    reading = understand.understand(decode_message(MAIL), ctx)

    assert reading.kind == "unknown" and reading.needs_review and reading.no_answer
    assert reading.problems[-1] == (f"mailflow could not read this message ({name}: "
                                    "ZeroDivisionError); nothing was applied or answered")


@pytest.mark.parametrize("index", range(len(SECOND_OPINIONS)),
                         ids=[name for name, _ in SECOND_OPINIONS])
def test_a_second_opinion_that_raises_leaves_the_reading_to_review(ctx, monkeypatch, index):
    name = SECOND_OPINIONS[index][0]
    opinions = list(SECOND_OPINIONS)
    opinions[index] = (name, _broken)
    monkeypatch.setattr(understand, "SECOND_OPINIONS", tuple(opinions))
    reading = understand.understand(decode_message(MAIL), ctx)

    assert reading.kind == "choices" and reading.needs_review
    assert (f"mailflow could not finish reading this message ({name}: ZeroDivisionError)"
            in reading.problems)
