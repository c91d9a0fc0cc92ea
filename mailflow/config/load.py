"""Load and validate ``config.yaml``: every error names the file, the key's line and the fix."""

from __future__ import annotations

from dataclasses import MISSING
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email

from mailflow.builtin import builtin
from mailflow.config.dates import load_calendar
from mailflow.config.model import (
    Config,
    FormField,
    HealthConfig,
    MailboxConfig,
    OutboxConfig,
    Person,
    Question,
    ServerConfig,
    Survey,
)
from mailflow.config.schema import (
    RetentionConfig,
    ReviewConfig,
    SchedulerConfig,
    Setting,
    settings_of,
)
from mailflow.config.secrets import SecretRef
from mailflow.config.translated import Translated, read_translated
from mailflow.config.yamlfile import YamlDoc, load_yaml

CONFIG_NAME = "config.yaml"
# The built-in files, looked up when first used (mailflow.builtin says where they are).
_BUILTIN_NAMES = {"DEFAULT_FORMS": "config/default_forms.yaml",
                  "DEFAULT_SURVEYS": "config/default_surveys.yaml",
                  "BUILTIN_RULES": "rules", "BUILTIN_TEMPLATES": "templates"}
DEFAULT_PORTS = {("imap", "ssl"): 993, ("imap", "starttls"): 143, ("imap", "none"): 143,
                 ("smtp", "ssl"): 465, ("smtp", "starttls"): 587, ("smtp", "none"): 25}


def __getattr__(name: str) -> Path:
    """``BUILTIN_RULES``, ``BUILTIN_TEMPLATES``, ``BUILTIN_ROOT`` (the example program's
    folder), ``DEFAULT_FORMS``, ``DEFAULT_SURVEYS``: built-in paths, found on first use."""
    if name == "BUILTIN_ROOT":
        return builtin(CONFIG_NAME).parent
    if name in _BUILTIN_NAMES:
        return builtin(_BUILTIN_NAMES[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Reader:
    """Typed access to a YAML mapping that raises ConfigErrors pointing at the key."""

    def __init__(self, doc: YamlDoc, data: Any, prefix: str, root: Path | None = None,
                 languages: tuple[str, ...] = ("en",)) -> None:
        self.doc, self.prefix, self.root = doc, prefix, root
        # The program's languages, the default first: how translated texts are read.
        self.languages = languages
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise doc.error(prefix or "(top level)", "expected a mapping of keys to values",
                            "write 'key: value' lines indented under it")
        self.data: dict[Any, Any] = data

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def unknown_keys(self, allowed: set[str]) -> None:
        for name in self.data:
            if name not in allowed:
                raise self.doc.error(
                    self.key(str(name)), "unknown key",
                    f"use one of: {', '.join(sorted(allowed))} (or remove it)",
                )

    def get(self, name: str, kind: type | tuple[type, ...], default: Any = None,
            required: bool = False, fix: str = "") -> Any:
        if name not in self.data or self.data[name] is None:
            if required:
                where = self.prefix or "the top level"
                hint = f" ({fix})" if fix else ""
                raise self.doc.error(self.key(name), "missing",
                                     f"add '{name}:' under '{where}'{hint}")
            return default
        value = self.data[name]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            kinds = kind if isinstance(kind, tuple) else (kind,)
            names = " or ".join(k.__name__ for k in kinds)
            raise self.doc.error(self.key(name), f"expected {names}, got {value!r}",
                                 fix or f"write {names} after '{name}:'")
        return value

    def setting(self, declared: Setting, default: Any = MISSING) -> Any:
        """The value of a declared key, checked against its type, bounds and choices."""
        name = declared.name
        if default is MISSING:
            default = declared.default
        # A translated text is checked by read_translated, which says what it accepts.
        read_as: dict[type, type | tuple[type, ...]] = {Path: str, Translated: object,
                                                        tuple: list}
        kind = read_as.get(declared.kind, declared.kind)
        value = self.get(name, kind, None if default is MISSING else default,
                         required=default is MISSING, fix=declared.fix())
        if value is None:
            return None
        if declared.kind is Translated and name in self.data:
            return read_translated(self.doc, self.key(name), value, self.languages,
                                   self.languages[0], declared.fix())
        problem = declared.problem(value)
        if problem:
            raise self.doc.error(self.key(name), problem, declared.fix())
        if declared.kind is Path:
            assert self.root is not None, "a Path setting needs the program folder"
            return (self.root / value).resolve()
        if declared.kind is tuple:
            return tuple(value)
        return value

    def settings(self, cls: type, names: tuple[str, ...] = ()) -> dict[str, Any]:
        """Every declared key of ``cls`` (or only ``names``), ready for its constructor."""
        declared = settings_of(cls)
        return {name: self.setting(item) for name, item in declared.items()
                if not names or name in names}

    def sub(self, name: str) -> _Reader | None:
        if self.data.get(name) is None:
            return None
        return _Reader(self.doc, self.data[name], self.key(name), self.root, self.languages)

    def item(self, data: Any, key: str) -> _Reader:
        """A reader of another mapping of the same document (a list item, say)."""
        return _Reader(self.doc, data, key, self.root, self.languages)

    def section(self, name: str) -> _Reader:
        """A nested mapping, empty when absent."""
        return self.sub(name) or self.item({}, self.key(name))

    def email(self, name: str, required: bool = True) -> str | None:
        value = self.get(name, str, required=required, fix="an address such as "
                         "mentorship@example.org")
        if value is None:
            return None
        try:
            checked = validate_email(value, check_deliverability=False)
        except EmailNotValidError as exc:
            raise self.doc.error(self.key(name), f"not a valid address: {exc}",
                                 "write one address such as mentorship@example.org") from exc
        if checked.ascii_email is None:
            raise self.doc.error(self.key(name), "the part before @ is not ASCII",
                                 "mailflow sends without SMTPUTF8: use an ASCII address")
        return str(checked.ascii_email).lower()

    def secret(self, stem: str) -> SecretRef | None:
        if stem in self.data:
            raise self.doc.error(
                self.key(stem), "secrets are never written in the YAML file",
                f"put it in an environment variable named by '{stem}_env' "
                f"or a file named by '{stem}_file'",
            )
        env = self.get(f"{stem}_env", str)
        file = self.get(f"{stem}_file", str)
        if env and file:
            raise self.doc.error(self.key(f"{stem}_file"),
                                 f"give {stem}_env or {stem}_file, not both", "remove one of them")
        if env:
            return SecretRef(env=env)
        if file:
            assert self.root is not None, "a secret file needs the program folder"
            return SecretRef(file=(self.root / file).resolve())
        return None


SECRET_KEYS = {"password", "password_env", "password_file"}


def _server(reader: _Reader, proto: str) -> ServerConfig:
    declared = settings_of(ServerConfig)
    reader.unknown_keys(set(declared) | SECRET_KEYS)
    security = reader.setting(declared["security"])
    port = reader.setting(declared["port"], DEFAULT_PORTS[(proto, security)])
    values = reader.settings(ServerConfig, ("host", "username", "ca_file", "verify", "timeout"))
    password = reader.secret("password")
    if proto == "imap" and not values["username"]:
        raise reader.doc.error(reader.key("username"), "missing", "add the mailbox's login name")
    if values["username"] and password is None:
        raise reader.doc.error(reader.key("username"), "a username needs a password",
                               "add password_env: VARIABLE or password_file: PATH")
    return ServerConfig(port=port, security=security, password=password, **values)


def _forms(languages: tuple[str, ...], doc: YamlDoc, data: Any, key: str
           ) -> dict[str, tuple[FormField, ...]]:
    reader = _Reader(doc, data, key, languages=languages)
    reader.unknown_keys({"mentee", "mentor"})
    declared = settings_of(FormField)
    forms: dict[str, tuple[FormField, ...]] = {}
    for role in ("mentee", "mentor"):
        items = reader.get(role, list, required=True, fix="a list of fields, each with key: "
                           "and label:")
        fields = []
        for index, item in enumerate(items):
            item_reader = reader.item(item, f"{reader.key(role)}[{index}]")
            item_reader.unknown_keys(set(declared) | {"labels"})
            values = item_reader.settings(FormField)
            other = item_reader.get("labels", list, [], fix="a list of other labels")
            # A reply may use the label of any language, or one of the other spellings.
            written = getattr(values["label"], "texts", {}).values()
            labels = dict.fromkeys((values["label"], *written, *[str(x) for x in other]))
            fields.append(FormField(labels=tuple(labels), **values))
        forms[role] = tuple(fields)
    return forms


def _surveys(languages: tuple[str, ...], doc: YamlDoc, data: Any, key: str
             ) -> dict[str, Survey]:
    reader = _Reader(doc, data, key, languages=languages)
    declared = settings_of(Question)
    surveys = {}
    for name in reader.data:
        survey = reader.item(reader.data[name], reader.key(str(name)))
        survey.unknown_keys({"title", "questions"})
        questions = []
        items = survey.get("questions", list, required=True,
                           fix="a list of questions, each with kind: and text:")
        for index, item in enumerate(items):
            q = survey.item(item, f"{survey.key('questions')}[{index}]")
            q.unknown_keys(set(declared))
            values = q.settings(Question, ("kind", "text", "required", "low", "high"))
            number = q.setting(declared["number"], index + 1)
            if values["low"] >= values["high"]:
                raise doc.error(q.key("high"), f"high ({values['high']}) is not above "
                                f"low ({values['low']})", "make high greater than low, e.g. "
                                "low: 1 and high: 5")
            questions.append(Question(number=number, **values))
        numbers = [q.number for q in questions]
        if len(set(numbers)) != len(numbers):
            raise doc.error(survey.key("questions"), "two questions have the same number",
                            "give each question its own number")
        title = survey.setting(settings_of(Survey)["title"])
        surveys[str(name)] = Survey(key=str(name), questions=questions, title=title)
    return surveys


def _program(doc: YamlDoc, top: _Reader) -> tuple[_Reader, dict[str, Any]]:
    """The ``program:`` section: its reader and the Config keys it declares."""
    program = top.sub("program")
    if program is None:
        raise doc.error("program", "missing", "add 'program:' with 'name:' and 'address:'")
    identity = ("name", "address", "language", "languages", "timezone")
    program.unknown_keys({*identity, "secret_env", "secret_file", "secret"})
    values = program.settings(Config, identity)
    values["address"] = program.email("address")
    if not values["languages"]:
        raise doc.error("program.languages", "no language given",
                        "list the languages people are written to in, e.g. [en, fr]")
    if values["language"] not in values["languages"]:
        where = "program.language" if "language" in program.data else "program.languages"
        raise doc.error(where, f"the default language {values['language']!r} is not among "
                        f"program.languages ({', '.join(values['languages'])})",
                        f"add {values['language']} to program.languages, or set "
                        "program.language to one of them")
    # The default language first: a plain text is taken to be written in it.
    values["languages"] = tuple(dict.fromkeys((values["language"], *values["languages"])))
    try:
        ZoneInfo(values["timezone"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise doc.error("program.timezone", f"unknown time zone {values['timezone']!r}",
                        "use an IANA name such as Europe/Paris or America/Montreal") from exc
    return program, values


def _coordinators(doc: YamlDoc, top: _Reader) -> tuple[Person, ...]:
    raw = top.get("coordinators", list, required=True,
                  fix="a list of {name: ..., email: ...}")
    if not raw:
        raise doc.error("coordinators", "at least one coordinator is needed",
                        "add '- {name: ..., email: ...}' under 'coordinators:'")
    coordinators = []
    for index, item in enumerate(raw):
        reader = _Reader(doc, item, f"coordinators[{index}]")
        reader.unknown_keys({"name", "email"})
        name = reader.get("name", str, required=True, fix="the coordinator's name")
        email = reader.email("email")
        assert email is not None  # required
        coordinators.append(Person(name, email))
    return tuple(coordinators)


def _defaults_or(doc: YamlDoc, top: _Reader, key: str, default: Path) -> tuple[YamlDoc, Any, str]:
    """The section ``key`` of config.yaml, or the built-in file when it is absent."""
    if top.data.get(key) is not None:
        return doc, top.data[key], key
    default_doc = load_yaml(default)
    return default_doc, default_doc.data, ""


def load_config(root: Path) -> Config:
    """Read ``ROOT/config.yaml`` and return the validated program configuration."""
    root = root.resolve()
    doc = load_yaml(root / CONFIG_NAME)
    top = _Reader(doc, doc.data, "", root)
    top.unknown_keys({"program", "coordinators", "mailbox", "outbox", "forms", "surveys",
                      "calendar", "paths", "health",
                      "retention", "review", "scheduler"})
    program, identity = _program(doc, top)
    coordinators = _coordinators(doc, top)

    mailbox = top.section("mailbox")
    mailbox.unknown_keys(set(settings_of(MailboxConfig)) | {"imap"})
    imap = mailbox.sub("imap")
    mailbox_config = MailboxConfig(imap=_server(imap, "imap") if imap else None,
                                   **mailbox.settings(MailboxConfig))

    outbox = top.section("outbox")
    outbox.unknown_keys(set(settings_of(OutboxConfig)) | {"smtp"})
    smtp = outbox.sub("smtp")
    outbox_config = OutboxConfig(smtp=_server(smtp, "smtp") if smtp else None,
                                 **outbox.settings(OutboxConfig))
    url = outbox_config.unsubscribe_url
    if url and (not url.startswith("https://") or any(c in url for c in "?#<> \t,")):
        raise doc.error(outbox.key("unsubscribe_url"), f"not an https address without a query: "
                        f"{url!r}", "write the endpoint's address, e.g. "
                        "https://mentoring.example.org/unsubscribe, or leave it empty")

    health = top.section("health")
    health.unknown_keys(set(settings_of(HealthConfig)))

    languages = identity["languages"]
    forms_from = _defaults_or(doc, top, "forms", builtin("config/default_forms.yaml"))
    surveys_from = _defaults_or(doc, top, "surveys", builtin("config/default_surveys.yaml"))
    forms = _forms(languages, *forms_from)
    surveys = _surveys(languages, *surveys_from)

    retention = top.section("retention")
    retention.unknown_keys(set(settings_of(RetentionConfig)))

    review = top.section("review")
    review.unknown_keys(set(settings_of(ReviewConfig)))

    scheduler = top.section("scheduler")
    scheduler.unknown_keys(set(settings_of(SchedulerConfig)))

    paths = top.section("paths")
    paths.unknown_keys({"rules", "templates", "state"})
    path_fix = "a folder relative to the program folder"
    rules_dir = root / paths.get("rules", str, "rules", fix=path_fix)
    templates_dir = root / paths.get("templates", str, "templates", fix=path_fix)
    for key, value in (("paths.rules", paths.data.get("rules")),
                       ("paths.templates", paths.data.get("templates"))):
        if value is not None and not (root / value).is_dir():
            raise doc.error(key, f"folder {root / value} does not exist",
                            "create it or remove the key to use the built-in one")
    return Config(
        root=root,
        **identity,
        coordinators=coordinators,
        mailbox=mailbox_config,
        outbox=outbox_config,
        forms=forms,
        surveys=surveys,
        calendar=load_calendar(doc, top.data.get("calendar"), ZoneInfo(identity["timezone"]),
                               languages),
        rules_dir=rules_dir if rules_dir.is_dir() else builtin("rules"),
        templates_dirs=tuple(dict.fromkeys(
            d.resolve() for d in (templates_dir, builtin("templates")) if d.is_dir())),
        state_dir=(root / paths.get("state", str, "state", fix=path_fix)).resolve(),
        secret=program.secret("secret"),
        health=HealthConfig(**health.settings(HealthConfig)),
        retention=RetentionConfig(**retention.settings(RetentionConfig)),
        review=ReviewConfig(**review.settings(ReviewConfig)),
        scheduler=SchedulerConfig(**scheduler.settings(SchedulerConfig)),
    )
