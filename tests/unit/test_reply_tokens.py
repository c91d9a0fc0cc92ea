"""Reply tokens: a signed sub-address that ties a reply to the mail and person it was sent to."""

from __future__ import annotations

import pytest

from mailflow.outbound.outbox import outbox_id
from mailflow.reply_tokens import (
    MAC_LENGTH,
    make_token,
    reply_address,
    token_from_address,
    verify_token,
)

SECRET = b"program-secret"
ITEM = outbox_id("application-form|lea@example.org|msg-1")


def test_token_round_trips_through_the_reply_address():
    token = make_token(SECRET, ITEM, "lea@example.org")
    address = reply_address("mentorship", "northlake.example.org", token)

    found = token_from_address(address, "mentorship")

    assert address == f"mentorship+{token}@northlake.example.org"
    assert found == token
    assert verify_token(SECRET, found, "lea@example.org") == ITEM


def test_token_verifies_whatever_the_case_of_the_sender_address():
    token = make_token(SECRET, ITEM, "Lea@Example.org")

    assert verify_token(SECRET, token, "LEA@example.ORG") == ITEM


def test_token_verified_for_another_sender_fails():
    token = make_token(SECRET, ITEM, "lea@example.org")

    assert verify_token(SECRET, token, "mallory@example.org") is None


def test_token_checked_with_another_secret_fails():
    token = make_token(SECRET, ITEM, "lea@example.org")

    assert verify_token(b"another-secret", token, "lea@example.org") is None


def test_tampered_mac_fails():
    token = make_token(SECRET, ITEM, "lea@example.org")
    last = "a" if token[-1] != "a" else "b"

    assert verify_token(SECRET, token[:-1] + last, "lea@example.org") is None


def test_token_moved_to_another_item_fails():
    token = make_token(SECRET, ITEM, "lea@example.org")
    other = outbox_id("another|lea@example.org|msg-2")

    assert verify_token(SECRET, other + token[-MAC_LENGTH:], "lea@example.org") is None


def test_token_from_address_is_case_insensitive():
    token = make_token(SECRET, ITEM, "lea@example.org")

    assert token_from_address(f"Mentorship+{token.upper()}@Northlake.example.org",
                              "mentorship") == token


@pytest.mark.parametrize("address", [
    "mentorship@northlake.example.org",                       # no sub-address
    "coordinator+{token}@northlake.example.org",              # another local part
    "mentorshipx+{token}@northlake.example.org",              # local part only as a prefix
    "mentorship+b-{item}@northlake.example.org",              # a bounce address
    "mentorship+{short}@northlake.example.org",               # too short
    "mentorship+{token}x@northlake.example.org",              # too long
    "mentorship+{bad}@northlake.example.org",                 # not base32
    "",
])
def test_token_from_address_ignores_other_local_parts_and_bad_shapes(address):
    token = make_token(SECRET, ITEM, "lea@example.org")
    address = address.format(token=token, item=ITEM, short=token[:-1],
                             bad=token[:-2] + "01")

    assert token_from_address(address, "mentorship") is None
