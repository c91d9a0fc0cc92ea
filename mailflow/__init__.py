"""mailflow: run a mentorship program by email alone.

The data flows through one package per question:

- ``inbound``: what arrived (IMAP or Maildir, the ledger of received mail);
- ``parsing``: what it means (decoding, quotes, kinds, forms);
- ``program``: what should happen (rules, applications, the pure decisions);
- ``outbound``: what goes out (templates, composing, the outbox, senders);
- ``store``: what we remember (the crash-safe TinyDB store).

``daemon`` ties them together; ``cli`` is the command line.
"""

__version__ = "0.1.0"
