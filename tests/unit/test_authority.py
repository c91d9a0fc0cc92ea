"""authenticated_domain_pass: only our own server's DMARC or aligned DKIM pass counts."""

from __future__ import annotations

from mailflow.parsing.authority import authenticated_domain_pass

TRUSTED = "mx.northlake.example.org"
CLAIRE = "claire.dubois@northlake.example.org"


def passes(*headers: str, authserv_id: str | None = TRUSTED, sender: str = CLAIRE) -> bool:
    return authenticated_domain_pass(list(headers), authserv_id, sender)


def test_dmarc_pass_from_the_trusted_server_counts():
    assert passes(f"{TRUSTED}; spf=pass smtp.mailfrom={CLAIRE}; "
                  "dmarc=pass header.from=northlake.example.org")


def test_aligned_dkim_pass_from_the_trusted_server_counts():
    assert passes(f"{TRUSTED}; dkim=pass header.d=northlake.example.org header.s=sel")


def test_trusted_server_name_is_matched_case_insensitively_with_a_version():
    assert passes("MX.Northlake.Example.Org 1; dmarc=pass header.from=Northlake.Example.Org")


def test_same_header_from_another_authserv_id_is_ignored():
    assert not passes("mx.attacker.example; dmarc=pass header.from=northlake.example.org; "
                      "dkim=pass header.d=northlake.example.org")


def test_forged_header_is_ignored_while_a_trusted_failure_is_not_overridden():
    assert not passes("mx.attacker.example; dmarc=pass header.from=northlake.example.org",
                      f"{TRUSTED}; dmarc=fail header.from=northlake.example.org")


def test_dkim_pass_for_another_domain_does_not_count():
    assert not passes(f"{TRUSTED}; dkim=pass header.d=mailchimp.example "
                      "header.i=@mailchimp.example")


def test_dkim_pass_for_a_parent_or_sub_domain_does_not_count():
    assert not passes(f"{TRUSTED}; dkim=pass header.d=example.org")
    assert not passes(f"{TRUSTED}; dkim=pass header.d=mail.northlake.example.org")


def test_dmarc_fail_does_not_count():
    assert not passes(f"{TRUSTED}; dmarc=fail (p=reject) header.from=northlake.example.org")


def test_dmarc_pass_for_another_from_domain_does_not_count():
    assert not passes(f"{TRUSTED}; dmarc=pass header.from=example.com")


def test_spf_pass_alone_does_not_count():
    assert not passes(f"{TRUSTED}; spf=pass smtp.mailfrom=northlake.example.org")


def test_comments_in_the_header_are_ignored():
    assert passes(f"{TRUSTED} (Postfix; authentication results); "
                  "dkim=pass (2048-bit key; unprotected) header.d=northlake.example.org "
                  "(signature (nested) ok) header.s=sel")


def test_comment_before_the_authserv_id_is_ignored():
    assert passes(f"(our server) {TRUSTED}; dmarc=pass (p=none dis=none) "
                  "header.from=northlake.example.org")


def test_comment_cannot_smuggle_a_pass_result():
    assert not passes(f"{TRUSTED}; dmarc=fail (dmarc=pass header.from=northlake.example.org) "
                      "header.from=northlake.example.org")


def test_without_a_configured_authserv_id_nothing_is_trusted():
    assert not passes(f"{TRUSTED}; dmarc=pass header.from=northlake.example.org",
                      authserv_id=None)


def test_sender_without_a_domain_is_never_authenticated():
    assert not passes(f"{TRUSTED}; dmarc=pass header.from=northlake.example.org",
                      sender="claire")


def test_no_header_means_no_authentication():
    assert not passes()


def test_results_below_the_second_received_line_came_with_the_message_and_are_ignored():
    from mailflow.parsing.authority import trusted_results

    headers = [
        ("Authentication-Results", "mx.northlake.example.org; dkim=fail"),
        ("Received", "from relay.example.com by mx.northlake.example.org"),
        ("Received", "from attacker by relay.example.com"),
        ("Authentication-Results", "mx.northlake.example.org; dmarc=pass header.from=x.org"),
    ]
    assert trusted_results(headers) == ["mx.northlake.example.org; dkim=fail"]


def test_results_our_server_adds_below_its_own_received_line_are_trusted():
    from mailflow.parsing.authority import trusted_results

    headers = [("Received", "from relay by mx"), ("Authentication-Results", "mx; dkim=pass"),
               ("Received", "from sender by relay")]
    assert trusted_results(headers) == ["mx; dkim=pass"]
