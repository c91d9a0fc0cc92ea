"""Coordinator authority without our server's genuine pass: forged placements and spellings."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.config import load_config
from mailflow.parsing.decode import decode_message
from mailflow.parsing.understand import Context, understand

OURS = "mx.northlake.example.org"
CLAIRE = "claire.dubois@northlake.example.org"
# What our MX writes on top of a stranger's mail: no pass for the coordinators' domain.
OUR_TOP = (f"Authentication-Results: {OURS}; dmarc=none header.from=attacker.example\r\n"
           f"Received: from relay.attacker.example (relay.attacker.example [198.51.100.7])\r\n"
           f"\tby {OURS} (Postfix) with ESMTPS id 4Q7kZZ\r\n"
           "\tfor <mentorship@northlake.example.org>; Mon, 1 Feb 2027 10:14:03 -0500\r\n")
FORGED_PASS = (f"Authentication-Results: {OURS}; dmarc=pass header.from=northlake.example.org\r\n"
               f"Authentication-Results: {OURS}; dkim=pass header.d=northlake.example.org\r\n")


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    (tmp_path / "config.yaml").write_text(
        "program: {name: Northlake, address: mentorship@northlake.example.org}\n"
        f"coordinators: [{{name: Claire Dubois, email: {CLAIRE}}}]\n"
        f"mailbox: {{authserv_id: {OURS}}}\n", encoding="utf-8")
    return Context(config=load_config(tmp_path), secret=b"k", participant=lambda _a: None,
                   outbox_by_id=lambda _i: None, outbox_by_message_id=lambda _m: None)


def read(ctx: Context, headers: str, top: str = OUR_TOP) -> dict:
    raw = (top + headers + "To: mentorship@northlake.example.org\r\nSubject: Re: pairs\r\n"
           "Message-ID: <a1@attacker.example>\r\nDate: Mon, 1 Feb 2027 10:14:00 -0500\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\nAPPROVE\r\n").encode()
    return understand(decode_message(raw), ctx).to_json()


def test_a_fake_received_by_our_server_below_the_real_one_lends_no_trust(ctx):
    forged = (FORGED_PASS + f"Received: from x by {OURS} (Postfix) id FAKE; "
              "Mon, 1 Feb 2027 10:14:00 -0500\r\n")
    assert read(ctx, forged + f"From: Claire Dubois <{CLAIRE}>\r\n")["authenticated"] is False


def test_a_forged_pass_folded_into_our_received_line_lends_no_trust(ctx):
    # The sender's first header line starts with a space: a naive MTA would fold it
    # into its own Received; here the forged results still sit below our trace line.
    forged = f" by {OURS}\r\n" + FORGED_PASS
    assert read(ctx, forged + f"From: <{CLAIRE}>\r\n")["authenticated"] is False


def test_arc_authentication_results_lend_no_trust(ctx):
    arc = (f"ARC-Authentication-Results: i=1; {OURS}; dmarc=pass "
           "header.from=northlake.example.org\r\n")
    assert read(ctx, f"From: <{CLAIRE}>\r\n", top=arc + OUR_TOP)["authenticated"] is False


@pytest.mark.parametrize("authserv", [OURS.upper(), OURS + ".", f"{OURS} "])
def test_forged_results_under_a_respelled_authserv_id_lend_no_trust(ctx, authserv):
    forged = f"Authentication-Results: {authserv}; dmarc=pass header.from=northlake.example.org\r\n"
    assert read(ctx, forged + f"From: <{CLAIRE}>\r\n")["authenticated"] is False


def test_two_from_fields_give_no_sender_and_no_authority(ctx):
    said = read(ctx, f"From: <{CLAIRE}>\r\nFrom: <mallory@attacker.example>\r\n")
    assert said["authenticated"] is False and said["sender"] is None


def test_a_kelvin_sign_domain_folds_to_the_coordinator_but_is_not_authenticated(ctx):
    # 'K' (U+212A) lowercases to 'k': the sender reads as the coordinator's address; our
    # MX could only vouch for the domain as written, which no one can pass DMARC for.
    top = ("Authentication-Results: mx.northlake.example.org; dmarc=none "
           "header.from=northla\u212ae.example.org\r\n") + OUR_TOP.split("\r\n", 1)[1]
    said = read(ctx, "From: <claire.dubois@northla\u212ae.example.org>\r\n", top=top)
    assert said["authenticated"] is False and said["needs_review"] is True


def test_a_sender_header_naming_the_coordinator_lends_no_trust(ctx):
    said = read(ctx, f"From: <mallory@attacker.example>\r\nSender: <{CLAIRE}>\r\n")
    assert said["authenticated"] is False
