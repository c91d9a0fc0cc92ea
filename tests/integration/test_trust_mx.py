"""Coordinator trust behind a real MX: Postfix + OpenDKIM + OpenDMARC -> Dovecot -> daemon.

Each mail claims to come from the coordinator; it goes through the MX (which adds
``Authentication-Results: mx.northlake.example.org``) into the test Dovecot, is read
there by ``mailflow parse`` and by the running daemon. Only the mail signed with
northlake.example.org's own key may be trusted.
"""

from __future__ import annotations

import email
from pathlib import Path

import pytest

from mailflow.commands.parse import parse_file
from tests.integration.program import DaemonProcess, store_data, wait_until, write_program
from tests.servers.dovecot import DovecotServer
from tests.servers.mx import (  # mx_world, mx_dovecot: fixtures
    AUTHSERV_ID,
    MxWorld,
    SenderDomain,
    mx_dovecot,  # noqa: F401
    mx_world,  # noqa: F401
    wait_for_delivery,
)

pytestmark = pytest.mark.servers

COORDINATOR = "claire.dubois@northlake.example.org"
PROGRAM = "mentorship@northlake.example.org"
NOT_AUTHENTICATED = "claims to be a coordinator but is not authenticated"
# Dovecot's LMTP adds a Received line above the MX's by default; with
# `lmtp_add_received_header = no` the MX's own Received line is the top one.
BOTH_DELIVERIES = pytest.mark.parametrize(
    "mx_dovecot", ["lmtp-received", "no-lmtp-received"], indirect=True)
# A forgery right below the MX's top Received line (what the old rule trusted).
FORGERY_DELIVERIES = BOTH_DELIVERIES


def coordinator_mail(top: str = "", body: str = "") -> bytes:
    """A note from Claire to the program, as her mail client writes it."""
    text = body or "Hello,\nPlease hold the March tip until after the break.\nClaire\n"
    return (
        top + f"From: Claire Dubois <{COORDINATOR}>\r\n"
        f"To: Northlake Mentorship Program <{PROGRAM}>\r\n"
        "Subject: March tip\r\n"
        "Date: Tue, 02 Mar 2027 09:12:40 -0500\r\n"
        "Message-ID: <7f3a9c21.claire@northlake.example.org>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 7bit\r\n\r\n" + text.replace("\n", "\r\n")
    ).encode()


def through_mx(world: MxWorld, dovecot: DovecotServer, raw: bytes,
               sender: SenderDomain) -> bytes:
    """Submit ``raw`` to the MX from ``sender``'s host; the message as Dovecot stored it."""
    world.mx.submit(raw, sender=sender, mail_from=COORDINATOR, rcpt=PROGRAM)
    [delivered] = wait_for_delivery(dovecot, 1, world.mx).values()
    return delivered


def our_results(delivered: bytes) -> list[str]:
    """The Authentication-Results above Postfix's own Received line (what the MX added)."""
    msg = email.message_from_bytes(delivered)
    added = []
    for name, value in msg.items():
        if name.lower() == "received" and "(Postfix)" in value:
            break
        if name.lower() == "authentication-results":
            added.append(" ".join(value.split()))
    return added


def parsed(tmp_path: Path, dovecot: DovecotServer, smtp_server, delivered: bytes) -> dict:
    """``mailflow parse`` of the delivered message, against the program's config."""
    root = write_program(tmp_path / "program", dovecot, smtp_server)
    (tmp_path / "delivered.eml").write_bytes(delivered)
    return parse_file(root, tmp_path / "delivered.eml")


def daemon_verdict(tmp_path: Path, dovecot: DovecotServer, smtp_server) -> tuple[str, list]:
    """Run the daemon on the mailbox: the message's ledger state and the review problems."""
    root = write_program(tmp_path / "program", dovecot, smtp_server)
    daemon = DaemonProcess(root, dovecot.password)
    daemon.start()
    try:
        wait_until(lambda: any(e["state"] in ("processed", "review") for e in
                               store_data(root).get("inbound", {}).values()),
                   30, "the daemon to handle the delivered message", daemon.log_text)
    finally:
        assert daemon.terminate() == 0, daemon.log_text()
    data = store_data(root)
    [entry] = data["inbound"].values()
    problems = [p for item in data.get("review", {}).values() for p in item["problems"]]
    return entry["state"], problems


def assert_not_trusted(tmp_path, dovecot, smtp_server, delivered: bytes) -> None:
    reading = parsed(tmp_path, dovecot, smtp_server, delivered)
    assert reading["authenticated"] is False, reading
    state, problems = daemon_verdict(tmp_path, dovecot, smtp_server)
    assert state == "review" and any(NOT_AUTHENTICATED in p for p in problems), problems


# ------------------------------------------------------------------ the real thing


@BOTH_DELIVERIES
def test_mail_signed_with_the_coordinator_domain_key_is_authenticated(
        tmp_path, mx_world, mx_dovecot, smtp_server):  # noqa: F811
    delivered = through_mx(mx_world, mx_dovecot,
                           mx_world.coordinator.sign(coordinator_mail()), mx_world.coordinator)
    added = our_results(delivered)
    assert any(r.startswith(f"{AUTHSERV_ID}; dmarc=pass")
               and "header.from=northlake.example.org" in r for r in added), added
    assert any("dkim=pass" in r and "header.d=northlake.example.org" in r for r in added), added
    assert parsed(tmp_path, mx_dovecot, smtp_server, delivered)["authenticated"] is True
    state, problems = daemon_verdict(tmp_path, mx_dovecot, smtp_server)
    assert (state, problems) == ("processed", [])


@BOTH_DELIVERIES
def test_the_same_mail_unsigned_is_not_authenticated(
        tmp_path, mx_world, mx_dovecot, smtp_server):  # noqa: F811
    delivered = through_mx(mx_world, mx_dovecot, coordinator_mail(), mx_world.attacker)
    added = our_results(delivered)
    assert any(r.startswith(f"{AUTHSERV_ID}; dmarc=fail") for r in added), added
    assert any(r.startswith(f"{AUTHSERV_ID}; dkim=none") for r in added), added
    assert_not_trusted(tmp_path, mx_dovecot, smtp_server, delivered)


@BOTH_DELIVERIES
def test_mail_signed_by_another_domain_with_the_coordinator_from_is_not_authenticated(
        tmp_path, mx_world, mx_dovecot, smtp_server):  # noqa: F811
    raw = mx_world.attacker.sign(coordinator_mail())
    delivered = through_mx(mx_world, mx_dovecot, raw, mx_world.attacker)
    added = our_results(delivered)
    assert any("dkim=pass" in r and "header.d=evil.example" in r for r in added), added
    assert any(r.startswith(f"{AUTHSERV_ID}; dmarc=fail") for r in added), added
    assert_not_trusted(tmp_path, mx_dovecot, smtp_server, delivered)


@FORGERY_DELIVERIES
def test_forged_authentication_results_in_the_submitted_mail_are_not_trusted(
        tmp_path, mx_world, mx_dovecot, smtp_server):  # noqa: F811
    forged = (f"Authentication-Results: {AUTHSERV_ID}; dmarc=pass "
              "header.from=northlake.example.org\r\n")
    delivered = through_mx(mx_world, mx_dovecot, coordinator_mail(top=forged),
                           mx_world.attacker)
    assert f"{AUTHSERV_ID}; dmarc=pass".encode() in delivered  # the MX let the forgery in
    assert_not_trusted(tmp_path, mx_dovecot, smtp_server, delivered)


@FORGERY_DELIVERIES
def test_a_pass_hidden_in_a_quoted_reason_is_not_trusted(
        tmp_path, mx_world, mx_dovecot, smtp_server):  # noqa: F811
    forged = (f"Authentication-Results: {AUTHSERV_ID}; dmarc=none "
              'reason="x; dkim=pass header.d=northlake.example.org; '
              'dmarc=pass header.from=northlake.example.org"\r\n')
    delivered = through_mx(mx_world, mx_dovecot, coordinator_mail(top=forged),
                           mx_world.attacker)
    assert b'reason="x; dkim=pass' in delivered
    assert_not_trusted(tmp_path, mx_dovecot, smtp_server, delivered)


@BOTH_DELIVERIES
def test_a_relayed_mail_with_an_altered_body_is_not_authenticated(
        tmp_path, mx_world, mx_dovecot, smtp_server):  # noqa: F811
    signed = mx_world.coordinator.sign(coordinator_mail())
    hop = ("Received: from mail.northlake.example.org (mail.northlake.example.org "
           "[127.0.10.1])\r\n\tby lists.example.net (Postfix) with ESMTPS id 4QkT2b0Lz\r\n"
           "\tfor <staff@lists.example.net>; Tue, 02 Mar 2027 14:12:41 +0000 (UTC)\r\n")
    relayed = hop.encode() + signed + b"--\r\nstaff mailing list\r\n"
    delivered = through_mx(mx_world, mx_dovecot, relayed, mx_world.forwarder)
    added = our_results(delivered)
    assert any("dkim=fail" in r and "header.d=northlake.example.org" in r for r in added), added
    assert any(r.startswith(f"{AUTHSERV_ID}; dmarc=fail") for r in added), added
    assert_not_trusted(tmp_path, mx_dovecot, smtp_server, delivered)


@BOTH_DELIVERIES
def test_a_relayed_mail_resigned_by_the_relay_is_not_authenticated(
        tmp_path, mx_world, mx_dovecot, smtp_server):  # noqa: F811
    hop = ("Received: from mail.northlake.example.org (mail.northlake.example.org "
           "[127.0.10.1])\r\n\tby lists.example.net (Postfix) with ESMTPS id 4QkT2b0Lz\r\n"
           "\tfor <staff@lists.example.net>; Tue, 02 Mar 2027 14:12:41 +0000 (UTC)\r\n")
    upstream = (f"Authentication-Results: {AUTHSERV_ID}; dkim=pass "
                "header.d=northlake.example.org; dmarc=pass header.from=northlake.example.org\r\n")
    relayed = mx_world.forwarder.sign(coordinator_mail(top=upstream + hop))
    delivered = through_mx(mx_world, mx_dovecot, relayed, mx_world.forwarder)
    added = our_results(delivered)
    assert any("dkim=pass" in r and "header.d=lists.example.net" in r for r in added), added
    assert any(r.startswith(f"{AUTHSERV_ID}; dmarc=fail") for r in added), added
    assert_not_trusted(tmp_path, mx_dovecot, smtp_server, delivered)
