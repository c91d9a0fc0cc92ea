"""One-click unsubscribe over HTTPS (RFC 8058), for deployments with a web server.

Optional mail carries ``List-Unsubscribe: <URL?to=REPLY&from=PERSON>, <mailto:REPLY?subject=STOP>``
and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` when ``outbox.unsubscribe_url``
is set. A mail client's one-click POST reaches this small WSGI app, which turns it into the
very mail the mailto form sends: ``STOP`` from the person to the signed reply address. The
daemon then handles it like any STOP: the signature ties the address to that person (a
forged ``from`` fails it), they get one confirmation, and no optional mail after it.

Run it behind your TLS web server (it speaks plain HTTP on loopback)::

    python -m mailflow.unsubscribe_endpoint --program mentoring@example.org \\
        --listen 127.0.0.1:8025 --smtp localhost:25

A GET shows a page with one button (RFC 8058: a GET must never unsubscribe, since mail
scanners follow links); only a POST sends the STOP.
"""

from __future__ import annotations

import argparse
import html
import re
import smtplib
from collections.abc import Callable, Iterable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import make_server

_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9.-]{1,253}$")
MAX_BODY = 1024

Sender = Callable[[EmailMessage], None]
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def smtp_sender(host: str, port: int) -> Sender:
    """Hand the STOP to the SMTP server that delivers to the program's mailbox."""
    def send(message: EmailMessage) -> None:
        with smtplib.SMTP(host, port, timeout=20) as smtp:
            smtp.send_message(message)
    return send


def stop_mail(to: str, person: str, domain: str) -> EmailMessage:
    """The mail a client sends for the mailto form: STOP, from the person, to the address."""
    message = EmailMessage()
    message["From"] = person
    message["To"] = to
    message["Subject"] = "STOP"
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid("one-click", domain=domain)
    message["X-Mailflow-One-Click"] = "RFC 8058"
    message.set_content("")
    return message


def make_app(program: str, send: Sender) -> Callable[[dict[str, Any], StartResponse],
                                                     Iterable[bytes]]:
    """The WSGI app for ``program``'s address (only its signed reply addresses are taken)."""
    local, _, domain = program.partition("@")
    reply = re.compile(rf"^{re.escape(local)}\+[A-Za-z0-9._=-]{{8,200}}@{re.escape(domain)}$",
                       re.IGNORECASE)

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        query = parse_qs(environ.get("QUERY_STRING", ""), max_num_fields=4)
        to, person = (query.get(k, [""])[0] for k in ("to", "from"))
        if not reply.match(to) or not _ADDRESS.match(person):
            return _page(start_response, "400 Bad Request", "This unsubscribe link is not "
                         "valid. Reply STOP to any of our mails instead.")
        method = environ.get("REQUEST_METHOD", "GET").upper()
        if method == "POST":
            environ["wsgi.input"].read(min(int(environ.get("CONTENT_LENGTH") or 0), MAX_BODY))
            try:
                send(stop_mail(to, person, domain))
            except (OSError, smtplib.SMTPException):
                return _page(start_response, "503 Service Unavailable", "We could not record "
                             "this now. Please try again later, or reply STOP to our mail.")
            return _page(start_response, "200 OK", "Done: you will receive no more optional "
                         "mail from this program. A confirmation is on its way.")
        if method in ("GET", "HEAD"):
            return _page(start_response, "200 OK", "Stop receiving the program's optional "
                         "mail (tips and news)?", button=True)
        return _page(start_response, "405 Method Not Allowed", "Use the button.")

    return app


def _page(start_response: StartResponse, status: str, text: str,
          button: bool = False) -> list[bytes]:
    form = ('<form method="post"><input type="hidden" name="List-Unsubscribe" '
            'value="One-Click"><button type="submit">Unsubscribe</button></form>'
            if button else "")
    body = (f"<!doctype html><meta charset=utf-8><title>Unsubscribe</title>"
            f"<p>{html.escape(text)}</p>{form}").encode()
    start_response(status, [("Content-Type", "text/html; charset=utf-8"),
                            ("Content-Length", str(len(body))),
                            ("Cache-Control", "no-store")])
    return [body]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mailflow.unsubscribe_endpoint",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--program", required=True, help="the program's address")
    parser.add_argument("--listen", default="127.0.0.1:8025", help="host:port to serve on")
    parser.add_argument("--smtp", default="localhost:25",
                        help="host:port of the server that delivers to the program")
    args = parser.parse_args(argv)
    host, _, port = args.listen.rpartition(":")
    smtp_host, _, smtp_port = args.smtp.rpartition(":")
    app = make_app(args.program, smtp_sender(smtp_host, int(smtp_port)))
    with make_server(host, int(port), app) as server:
        server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
