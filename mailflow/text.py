"""Text comparison shared by every reader: one accent- and case-folding rule."""

from __future__ import annotations

import unicodedata


def fold_accents(text: str) -> str:
    """Case- and accent-free text with straight apostrophes and plain spaces.

    'Amélie', 'AMELIE' and 'amelie' compare equal; what else a reader ignores
    (punctuation, extra spaces) is that reader's own choice, made on top of this.
    """
    text = text.replace("’", "'").replace("\u00a0", " ")
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()
