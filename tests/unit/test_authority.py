"""authenticated_domain_pass: only our own server's DMARC or aligned DKIM pass counts."""

from __future__ import annotations

from mailflow.parsing.authority import authenticated_domain_pass, trusted_results
from mailflow.parsing.decode import decode_message

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


# --------------------------------------------------------------- which headers are ours

def verdict(head: str, sender: str = CLAIRE, authserv_id: str | None = TRUSTED) -> bool:
    """Whether a message with this header block authenticates ``sender``, as understand() asks."""
    raw = (head.strip("\n") + "\nFrom: Claire Dubois <" + sender + ">\n"
           "To: mentorship@northlake.example.org\nSubject: Re: pairs\n"
           "Message-ID: <c1@northlake.example.org>\n\nAPPROVE\n")
    msg = decode_message(raw.replace("\n", "\r\n").encode("utf-8"))
    return authenticated_domain_pass(trusted_results(msg.raw_headers, authserv_id),
                                     authserv_id, msg.sender or "")


OUR_RECEIVED = """Received: from attacker.example (unknown [203.0.113.9])
\tby mx.northlake.example.org (Postfix) with ESMTP id 4Zq2Lm0B7Kz9sW
\tfor <mentorship@northlake.example.org>; Tue,  2 Mar 2027 09:14:27 -0500 (EST)"""
FORGED_PASS = ("Authentication-Results: mx.northlake.example.org;\n"
               "\tdmarc=pass (p=reject dis=none) header.from=northlake.example.org")


def test_forged_pass_just_below_our_single_received_line_is_ignored():
    assert not verdict(OUR_RECEIVED + "\n" + FORGED_PASS)


def test_without_any_received_line_no_header_is_trusted():
    assert not verdict(FORGED_PASS)


def test_without_a_received_line_by_our_server_no_header_is_trusted():
    assert not verdict(FORGED_PASS + "\nReceived: from laptop by smtp.attacker.example "
                       "with ESMTPSA id 77; Tue, 2 Mar 2027 09:14:20 -0500")


def test_our_fail_above_our_received_wins_over_a_forged_pass_below():
    assert not verdict("Authentication-Results: mx.northlake.example.org;\n"
                       "\tdmarc=fail (p=reject dis=reject) header.from=northlake.example.org\n"
                       + OUR_RECEIVED + "\n" + FORGED_PASS)


def test_a_fail_from_one_of_our_filters_wins_over_a_pass_from_another():
    assert not verdict("Authentication-Results: mx.northlake.example.org; dkim=fail "
                       "(signature verification failed) header.d=northlake.example.org\n"
                       "Authentication-Results: mx.northlake.example.org; dkim=pass "
                       "header.d=northlake.example.org header.s=sel\n" + OUR_RECEIVED)


def test_a_dmarc_fail_vetoes_an_aligned_dkim_pass():
    assert not passes(f"{TRUSTED}; dkim=pass header.d=northlake.example.org; "
                      "dmarc=fail header.from=northlake.example.org")


def test_a_dkim_none_vetoes_a_dkim_pass_without_dmarc():
    assert not passes(f"{TRUSTED}; dkim=none (no signatures found)",
                      f"{TRUSTED}; dkim=pass header.d=northlake.example.org")


def test_a_pass_quoted_inside_a_reason_is_not_a_result():
    assert not verdict("Authentication-Results: mx.northlake.example.org; dkim=fail "
                       'header.d=evil.example reason="x; dkim=pass '
                       'header.d=northlake.example.org"\n' + OUR_RECEIVED)


def test_a_pass_quoted_inside_the_smtp_mailfrom_is_not_a_result():
    assert not verdict("Authentication-Results: mx.northlake.example.org; spf=pass "
                       'smtp.mailfrom="x;dmarc=pass header.from=northlake.example.org"'
                       "@evil.example\n" + OUR_RECEIVED)


def test_a_pass_in_an_encoded_word_mail_from_is_not_decoded_into_a_result():
    # MAIL FROM:<=?utf-8?q?...?=@evil.example> is a valid dot-atom that our SPF check
    # copies into its own header; decoded as RFC 2047 it would read as a dmarc result.
    assert not verdict("Authentication-Results: mx.northlake.example.org; spf=pass "
                       "smtp.mailfrom==?utf-8?q?x=3B_dmarc=3Dpass_header.from=3D"
                       "northlake.example.org=3B?=@evil.example\n" + OUR_RECEIVED)


def test_arc_authentication_results_above_our_received_never_count():
    assert not verdict("ARC-Authentication-Results: i=1; mx.northlake.example.org;\n"
                       "\tdmarc=pass header.from=northlake.example.org\n" + OUR_RECEIVED)


def test_a_forged_received_naming_our_server_below_the_real_one_does_not_move_the_line():
    assert not verdict(OUR_RECEIVED + "\n" + FORGED_PASS + "\nReceived: from x.example "
                       "by mx.northlake.example.org (Postfix) with ESMTP id 1; "
                       "Tue, 2 Mar 2027 09:14:00 -0500")


def test_a_trusted_header_the_parser_cannot_read_authenticates_nothing():
    assert not verdict("Authentication-Results: mx.northlake.example.org; dmarc=pass "
                       "header.from=northlake.example.org; !!!\n" + OUR_RECEIVED)


def test_two_header_from_values_in_one_dmarc_pass_do_not_count():
    assert not passes(f"{TRUSTED}; dmarc=pass header.from=evil.example "
                      "header.from=northlake.example.org")


# ------------------------------------------------------ what real receiving servers write

POSTFIX_OPENDKIM_OPENDMARC = """Return-Path: <claire.dubois@northlake.example.org>
Delivered-To: mentorship@northlake.example.org
Received: from mx.northlake.example.org ([10.0.0.25])
\tby imap.northlake.example.org with LMTP
\tid yK3bFq5f62VfMwAAoL2x6w
\t(envelope-from <claire.dubois@northlake.example.org>)
\tfor <mentorship@northlake.example.org>; Tue, 02 Mar 2027 09:14:28 -0500
Authentication-Results: mx.northlake.example.org; dmarc=pass (p=quarantine dis=none)
\theader.from=northlake.example.org
Authentication-Results: mx.northlake.example.org;
\tdkim=pass (2048-bit key; unprotected) header.d=northlake.example.org
\theader.i=@northlake.example.org header.a=rsa-sha256 header.s=mail2026
\theader.b=kQ3vR8tB
Authentication-Results: mx.northlake.example.org; spf=pass
\tsmtp.mailfrom=claire.dubois@northlake.example.org
Received: from out.northlake.example.org (out.northlake.example.org [192.0.2.5])
\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)
\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)
\t(No client certificate requested)
\tby mx.northlake.example.org (Postfix) with ESMTPS id 4Zq2Lm0B7Kz9sW
\tfor <mentorship@northlake.example.org>; Tue,  2 Mar 2027 09:14:27 -0500 (EST)
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=northlake.example.org;
\ts=mail2026; t=1803996867; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;
\th=From:To:Subject; b=kQ3vR8tBq1
"""


def test_postfix_with_opendkim_and_opendmarc_inserting_on_top_authenticates():
    assert verdict(POSTFIX_OPENDKIM_OPENDMARC)


def test_postfix_results_for_another_coordinator_domain_do_not_authenticate():
    assert not verdict(POSTFIX_OPENDKIM_OPENDMARC, sender="lea@other.example.org")


def test_older_milters_inserting_below_the_received_line_are_not_trusted():
    # OpenDKIM/OpenDMARC releases that insert at index 1 put their results just below
    # Postfix's Received, exactly where a direct sender's forged header lands.
    assert not verdict("""Received: from out.northlake.example.org ([192.0.2.5])
\tby mx.northlake.example.org (Postfix) with ESMTPS id 4Zq2Lm0B7Kz9sW
\tfor <mentorship@northlake.example.org>; Tue,  2 Mar 2027 09:14:27 -0500 (EST)
Authentication-Results: mx.northlake.example.org; dmarc=pass (p=none dis=none)
\theader.from=northlake.example.org
Authentication-Results: mx.northlake.example.org;
\tdkim=pass (2048-bit key) header.d=northlake.example.org header.s=mail2026 header.b=kQ3vR8tB
""")


RSPAMD = """Received: from mx.northlake.example.org by imap.northlake.example.org with LMTP
\tid 0GkKBb5f62UvNQAAoL2x6w; Tue, 02 Mar 2027 09:14:28 -0500
ARC-Authentication-Results: i=1; mx.northlake.example.org;
\tdkim=pass header.d=northlake.example.org header.s=dkim header.b=Zz9Yx;
\tdmarc=pass (policy=reject) header.from=northlake.example.org;
\tspf=pass (mx.northlake.example.org: domain of "claire.dubois@northlake.example.org"
\t designates 192.0.2.5 as permitted sender) smtp.mailfrom=claire.dubois@northlake.example.org
ARC-Seal: i=1; s=arc; d=northlake.example.org; t=1803996867; a=rsa-sha256; cv=none; b=QmF
Authentication-Results: mx.northlake.example.org;
\tdkim=pass header.d=northlake.example.org header.s=dkim header.b=Zz9Yx;
\tdmarc=pass (policy=reject) header.from=northlake.example.org;
\tspf=pass (mx.northlake.example.org: domain of "claire.dubois@northlake.example.org"
\t designates 192.0.2.5 as permitted sender) smtp.mailfrom=claire.dubois@northlake.example.org
Received: from out.northlake.example.org (out.northlake.example.org [192.0.2.5])
\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))
\t(No client certificate requested)
\tby mx.northlake.example.org (Postfix) with ESMTPS id 4Zq2Lm0B7Kz9sW
\tfor <mentorship@northlake.example.org>; Tue,  2 Mar 2027 09:14:27 -0500 (EST)
"""


def test_rspamd_results_on_top_authenticate():
    assert verdict(RSPAMD)


def test_rspamd_dmarc_reject_for_a_spoofed_from_does_not_authenticate():
    assert not verdict(RSPAMD.replace("dkim=pass", "dkim=fail").replace(
        "dmarc=pass (policy=reject)", "dmarc=fail reason=\"No valid SPF, No valid DKIM\" "
        "(policy=reject)").replace("spf=pass", "spf=fail"))


GMAIL = """Delivered-To: mentorship@northlake.example.org
Received: by 2002:a05:7300:6c8d:b0:12a:6c3e:5b1 with SMTP id x13csp1290417dyb;
        Tue, 2 Mar 2027 06:14:28 -0800 (PST)
ARC-Authentication-Results: i=1; mx.google.com;
       dkim=pass header.i=@northlake.example.org header.s=google header.b=AbCd1234;
       spf=pass (google.com: domain of claire.dubois@northlake.example.org designates
 209.85.220.41 as permitted sender) smtp.mailfrom=claire.dubois@northlake.example.org;
       dmarc=pass (p=QUARANTINE sp=QUARANTINE dis=NONE) header.from=northlake.example.org
Return-Path: <claire.dubois@northlake.example.org>
Received: from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])
        by mx.google.com with SMTPS id a640c23a62f3a-a9a0f1c2d3esor1234567866b.12.2027.03.02
        for <mentorship@northlake.example.org>
        (Google Transport Security);
        Tue, 02 Mar 2027 06:14:28 -0800 (PST)
Received-SPF: pass (google.com: domain of claire.dubois@northlake.example.org designates
 209.85.220.41 as permitted sender) client-ip=209.85.220.41;
Authentication-Results: mx.google.com;
       dkim=pass header.i=@northlake.example.org header.s=google header.b=AbCd1234;
       spf=pass (google.com: domain of claire.dubois@northlake.example.org designates
 209.85.220.41 as permitted sender) smtp.mailfrom=claire.dubois@northlake.example.org;
       dmarc=pass (p=QUARANTINE sp=QUARANTINE dis=NONE) header.from=northlake.example.org
"""


def test_gmail_results_below_its_received_line_are_not_trusted():
    # Gmail writes its results below its own Received (only the ARC copy is above it).
    assert not verdict(GMAIL, authserv_id="mx.google.com")


def test_gmail_header_is_parsed_and_passes_when_trusted_directly():
    value = GMAIL.split("\nAuthentication-Results: ", 1)[1]
    assert authenticated_domain_pass([value.replace("\n", "\r\n")], "mx.google.com", CLAIRE)


MICROSOFT_365 = """Received: from BN8PR04MB6291.namprd04.prod.outlook.com (2603:10b6:408:d4::18)
 by SA1PR04MB8422.namprd04.prod.outlook.com with HTTPS; Tue, 2 Mar 2027 14:14:28 +0000
Authentication-Results: spf=pass (sender IP is 192.0.2.5)
 smtp.mailfrom=northlake.example.org; dkim=pass (signature was verified)
 header.d=northlake.example.org;dmarc=pass action=none
 header.from=northlake.example.org;compauth=pass reason=100
Received: from out.northlake.example.org (192.0.2.5) by
 BN8PR04MB6291.mail.protection.outlook.com (10.167.241.20) with Microsoft SMTP
 Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.8182.10 via
 Frontend Transport; Tue, 2 Mar 2027 14:14:27 +0000
"""


def test_microsoft_365_results_without_an_authserv_id_are_not_trusted():
    assert not verdict(MICROSOFT_365,
                       authserv_id="BN8PR04MB6291.mail.protection.outlook.com")
