"""Read a filled-in application form out of a reply, in English or French labels."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from mailflow.config.model import FormField
from mailflow.parsing.survey import as_digits, yes_or_no
from mailflow.text import fold_accents

ROLE_LABELS = ("role", "rôle", "role (mentee or mentor)", "rôle (mentoré ou mentor)")
ROLE_VALUES = {
    "mentee": "mentee", "mentees": "mentee", "mentore": "mentee", "mentoree": "mentee",
    "mentore(e)": "mentee", "mentoré": "mentee", "mentorée": "mentee", "mentoré(e)": "mentee",
    "mentor": "mentor", "mentors": "mentor", "mentore mentor": "mentor", "mentor.e": "mentor",
}
_LINE = re.compile(r"^\s*(?:[-*•]\s*)?\**([^:\n]{1,60}?)\**\s*:\s*\**(.*)$")
_PARENS = re.compile(r"\([^)]*\)")
_HINT = re.compile(r"\[[^\]]*\]")
_INCLUSIVE = re.compile(r"[.·-]e$")


@functools.lru_cache(maxsize=1024)
def normalise_label(label: str) -> str:
    """Case-, accent- and parenthesis-insensitive form of a label, for matching.

    Cached: each message's form is matched against the same few dozen labels of ours."""
    text = _PARENS.sub("", label)
    return " ".join(re.sub(r"[^a-z0-9' ]", " ", fold_accents(text)).split())


@dataclass
class FormReading:
    """What a form reply holds: the role, the fields by key, what is missing."""

    role: str | None = None
    role_raw: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # 'label: value' lines of no field
    problems: list[str] = field(default_factory=list)  # what a person should check

    @property
    def found(self) -> bool:
        """Whether the text looks like a filled form at all."""
        return self.role_raw is not None or len(self.fields) >= 2

    @property
    def complete(self) -> bool:
        """Whether every required field of the role is there."""
        return self.found and self.role is not None and not self.missing


def _label_map(forms: dict[str, tuple[FormField, ...]]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for fields in forms.values():
        for item in fields:
            for label in item.labels:
                mapping.setdefault(normalise_label(label), item.key)
    return mapping


def _pairs(text: str, labels: dict[str, str],
           unknown: list[str] | None = None) -> list[tuple[str, str]]:
    """(key, value) pairs in order; a value may continue on the following lines.

    A 'label: value' line whose label is no field of the form ends the value before
    it (it is never glued to it) and is listed in ``unknown``.
    """
    role_labels = {normalise_label(x) for x in ROLE_LABELS}
    pairs: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        match = _LINE.match(line)
        label = normalise_label(match.group(1)) if match else ""
        if match and (label in labels or label in role_labels):
            key = "role" if label in role_labels else labels[label]
            current = [match.group(2).strip().strip("*").strip()]
            pairs.append((key, current))
        elif match and pairs and label and match.group(2).strip():
            current = None
            if unknown is not None:
                unknown.append(line.strip())
        elif current is not None and line.strip():
            current.append(line.strip())
        else:
            current = None
    return [(key, _answer("\n".join(v for v in values if v).strip())) for key, values in pairs]


def _answer(value: str) -> str:
    """The value without the bracketed hint our form prints after a label ("[yes or no]
    non" is "non"); '' when the hint is all there is."""
    return _LEADING_HINT.sub("", value, count=1).strip()


_LEADING_HINT = re.compile(r"^\s*\[[^\]\n]*\]\s*")


def _interleaved(quoted_text: str, labels: dict[str, str]) -> list[tuple[str, str]]:
    """Answers written unquoted under our quoted labels ("> Full name:" then "Oliver
    Grant"): a quoted label left empty takes the unquoted lines below it, up to the next
    quoted line that is not blank."""
    role_labels = {normalise_label(x) for x in ROLE_LABELS}
    pairs: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in quoted_text.splitlines():
        if _QUOTE_MARK.match(line):
            inner = _QUOTE_MARK.sub("", line)
            if not inner.strip():
                continue  # a blank quoted line between a label and its answer
            match = _LINE.match(inner)
            label = normalise_label(match.group(1)) if match else ""
            empty = match is not None and not _answer(match.group(2).strip())
            if match and empty and (label in labels or label in role_labels):
                current = []
                pairs.append(("role" if label in role_labels else labels[label], current))
            else:
                current = None
        elif current is not None and line.strip():
            current.append(line.strip())
    return [(key, "\n".join(values)) for key, values in pairs if values]


_QUOTE_MARK = re.compile(r"^(\s*>)+ ?")


def _unquote(text: str) -> str:
    return "\n".join(re.sub(r"^(\s*>)+ ?", "", line) for line in text.splitlines())


def read_form(new_text: str, quoted_text: str,
              forms: dict[str, tuple[FormField, ...]], whole: str = "") -> FormReading:
    """Form fields from the new text, or typed inside the quoted form where it is silent,
    or under its quoted labels in ``whole`` (the text before it was split)."""
    labels = _label_map(forms)
    values: dict[str, str] = {}
    unknown: list[str] = []
    for key, value in (_pairs(_unquote(quoted_text), labels)
                       + _interleaved(whole or quoted_text, labels)
                       + _pairs(new_text, labels, unknown)):
        if value:
            values[key] = value
    reading = FormReading()
    role_raw = values.pop("role", None)
    if role_raw is not None or any(k == "role" for k, _ in _pairs(new_text, labels)):
        reading.role_raw = role_raw or ""
        raw = (role_raw or "").strip().casefold()
        if _INCLUSIVE.search(raw) and raw[:-2] in ROLE_VALUES:
            raw = raw[:-2]  # inclusive spellings: mentor.e, mentor·e, mentoré-e
        reading.role = ROLE_VALUES.get(raw) or ROLE_VALUES.get(
            normalise_label(raw).replace(" ", ""))
        named = {ROLE_VALUES[w] for w in normalise_label(role_raw or "").split()
                 if w in ROLE_VALUES}
        if len(named) > 1:  # "mentor or mentee, whichever is more needed"
            reading.role = None
            reading.problems.append(f"the role is not one of the two: {role_raw!r}")
        elif reading.role is None and role_raw:
            first = normalise_label(role_raw).split(" ")[0] if normalise_label(role_raw) else ""
            reading.role = ROLE_VALUES.get(first)
    _normalise(values, forms)
    reading.fields = values
    reading.missing = missing_fields(reading.role, values, forms)
    reading.unknown = unknown
    return reading


def _normalise(values: dict[str, str], forms: dict[str, tuple[FormField, ...]]) -> None:
    """Yes/no and number fields in one spelling: 'Nope' is 'no', 'Oui' 'yes', 'two' '2';
    an answer that is neither stays as written."""
    kinds = {f.key: f.kind for fields in forms.values() for f in fields}
    for key, value in values.items():
        if kinds.get(key) == "yesno" and (said := yes_or_no(value)) is not None \
                and len(value.split()) <= 3:
            values[key] = "yes" if said else "no"
        elif kinds.get(key) == "number" and (digits := as_digits(value)) is not None:
            values[key] = digits


def missing_fields(role: str | None, values: dict[str, str],
                   forms: dict[str, tuple[FormField, ...]]) -> list[str]:
    """The labels of the required fields still empty (Role first when it is unknown)."""
    if role is None:
        return ["Role"]
    return [f.label for f in forms.get(role, ()) if f.required and not values.get(f.key)]
