"""One-click unsubscribe (RFC 8058) through the shipped endpoint: a real HTTP server on
loopback, a real SMTP server, and the program handling the STOP it produces."""

from __future__ import annotations

import email
import email.policy
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import yaml

from mailflow.outbound.mailer import Recipient
from mailflow.program import participants
from mailflow.runtime import Program, open_program
from mailflow.unsubscribe_endpoint import make_app, smtp_sender
from tests.program.year import START, new_program
from tests.yaml_files import load_yaml

PERSON, OTHER = "ana.silva@example.org", "bo.lind@example.org"
URL = "https://mentoring.example.org/unsubscribe"


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def program(tmp_path: Path) -> Iterator[Program]:
    root = new_program(tmp_path / "p")
    config = load_yaml((root / "config.yaml").read_text())
    config.setdefault("outbox", {})["unsubscribe_url"] = URL
    (root / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    opened = open_program(root)
    with opened.store.transaction():
        for email, name in ((PERSON, "Ana Silva"), (OTHER, "Bo Lind")):
            participants.insert(opened.store, {"email": email, "name": name, "role": "mentee",
                                               "status": "introduced", "language": "en"})
    yield opened
    opened.close()


@pytest.fixture
def endpoint(program: Program, smtp_server) -> Iterator[str]:
    app = make_app(program.config.address, smtp_sender(smtp_server.host, smtp_server.port))
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _tip(program: Program) -> str:
    """Queue an optional mail to PERSON; its List-Unsubscribe URL, pointed at the test server."""
    person = participants.find(program.store, PERSON)
    context = program.scheduler.mailings.contexts.build(person, "en", START, "paused",
                                                        optional=True)
    item = program.mailer.queue(rule="tips", occasion="2027-03", template="paused",
                                to=Recipient(PERSON, "Ana Silva", "en", participant=PERSON),
                                context=context, kind="scheduled", now=START, unsubscribe=True)
    assert item is not None
    mail = email.message_from_bytes(program.outbox.message_bytes(item.id),
                                     policy=email.policy.default)
    lines = {"list-unsubscribe-post": str(mail["List-Unsubscribe-Post"]),
             "list-unsubscribe": str(mail["List-Unsubscribe"])}
    assert lines["list-unsubscribe-post"] == "List-Unsubscribe=One-Click"
    https, mailto = (p.strip().strip("<>") for p in lines["list-unsubscribe"].split(","))
    assert https.startswith(URL + "?") and mailto.startswith("mailto:")
    return https.removeprefix(URL)


def _post(url: str) -> int:
    request = urllib.request.Request(url, data=b"List-Unsubscribe=One-Click", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def _handle(program: Program, raw: bytes, n: int) -> None:
    with program.store.transaction(), program.outbox.batch():
        program.handler.handle({"key": f"click:{n}"}, raw, START + timedelta(minutes=n))


def test_a_get_of_the_link_shows_a_button_and_unsubscribes_nobody(program, endpoint, smtp_server):
    query = _tip(program)
    with urllib.request.urlopen(endpoint + "/unsubscribe" + query, timeout=10) as response:
        page = response.read().decode()
    assert response.status == 200 and "<button" in page
    assert len(smtp_server.messages) == 0


def test_a_one_click_post_stops_optional_mail_with_one_confirmation(program, endpoint,
                                                                    smtp_server):
    assert _post(endpoint + "/unsubscribe" + _tip(program)) == 200
    [stop] = smtp_server.messages.wait_for(1, timeout=10)
    assert stop.message["Subject"] == "STOP"
    _handle(program, stop.data, 1)
    assert participants.find(program.store, PERSON)["opted_out"] is True
    confirmations = [i for i in program.outbox.items.values()
                     if i.recipients == [PERSON] and i.meta.get("template") == "unsubscribed"]
    assert len(confirmations) == 1


def test_a_forged_address_in_the_link_unsubscribes_nobody(program, endpoint, smtp_server):
    query = _tip(program).replace("ana.silva%40example.org", "bo.lind%40example.org")
    assert _post(endpoint + "/unsubscribe" + query) == 200
    [stop] = smtp_server.messages.wait_for(1, timeout=10)
    _handle(program, stop.data, 1)
    for address in (PERSON, OTHER):
        assert not participants.find(program.store, address).get("opted_out")


def test_a_link_to_an_address_that_is_not_ours_is_refused(program, endpoint, smtp_server):
    url = endpoint + "/unsubscribe?to=victim%40elsewhere.example&from=a%40b.example"
    with pytest.raises(urllib.error.HTTPError) as refused:
        _post(url)
    assert refused.value.code == 400
    assert len(smtp_server.messages) == 0
