"""Load and validate ``config.yaml``: every error names the file, the key's line and the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email

from mailflow.config.dates import load_calendar
from mailflow.config.model import (
    LANGUAGES,
    SECURITY_MODES,
    Config,
    FormField,
    MailboxConfig,
    OutboxConfig,
    Person,
    Question,
    ServerConfig,
    Survey,
)
from mailflow.config.secrets import SecretRef
from mailflow.config.yamlfile import YamlDoc, load_yaml

CONFIG_NAME = "config.yaml"
SURVEY_KINDS = ("scale", "yesno", "text")
PACKAGE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_FORMS = PACKAGE_DIR / "config" / "default_forms.yaml"
DEFAULT_SURVEYS = PACKAGE_DIR / "config" / "default_surveys.yaml"
BUILTIN_ROOT = PACKAGE_DIR.parent
BUILTIN_RULES = BUILTIN_ROOT / "rules"
BUILTIN_TEMPLATES = BUILTIN_ROOT / "templates"
DEFAULT_PORTS = {("imap", "ssl"): 993, ("imap", "starttls"): 143, ("imap", "none"): 143,
                 ("smtp", "ssl"): 465, ("smtp", "starttls"): 587, ("smtp", "none"): 25}


class _Reader:
    """Typed access to a YAML mapping that raises ConfigErrors pointing at the key."""

    def __init__(self, doc: YamlDoc, data: Any, prefix: str) -> None:
        self.doc, self.prefix = doc, prefix
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise doc.error(prefix or "(top level)", "expected a mapping of keys to values")
        self.data = data

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
            required: bool = False) -> Any:
        if name not in self.data or self.data[name] is None:
            if required:
                raise self.doc.error(self.key(name), "missing",
                                     f"add '{name}:' under '{self.prefix or 'the top level'}'")
            return default
        value = self.data[name]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            kinds = kind if isinstance(kind, tuple) else (kind,)
            names = " or ".join(k.__name__ for k in kinds)
            raise self.doc.error(self.key(name), f"expected {names}, got {value!r}")
        return value

    def sub(self, name: str) -> _Reader | None:
        if self.data.get(name) is None:
            return None
        return _Reader(self.doc, self.data[name], self.key(name))

    def email(self, name: str, required: bool = True) -> str | None:
        value = self.get(name, str, required=required)
        if value is None:
            return None
        try:
            checked = validate_email(value, check_deliverability=False)
        except EmailNotValidError as exc:
            raise self.doc.error(self.key(name), f"not a valid address: {exc}") from exc
        if checked.ascii_email is None:
            raise self.doc.error(self.key(name), "the part before @ is not ASCII",
                                 "mailflow sends without SMTPUTF8: use an ASCII address")
        return checked.ascii_email.lower()

    def secret(self, stem: str, root: Path) -> SecretRef | None:
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
                                 f"give {stem}_env or {stem}_file, not both")
        if env:
            return SecretRef(env=env)
        if file:
            return SecretRef(file=(root / file).resolve())
        return None


def _server(reader: _Reader, proto: str, root: Path) -> ServerConfig:
    reader.unknown_keys({"host", "port", "security", "username", "password_env", "password_file",
                         "password", "ca_file", "verify", "timeout"})
    security = reader.get("security", str, "ssl")
    if security not in SECURITY_MODES:
        raise reader.doc.error(reader.key("security"), f"unknown security mode {security!r}",
                               f"use one of: {', '.join(SECURITY_MODES)}")
    port = reader.get("port", int, DEFAULT_PORTS[(proto, security)])
    if not 0 < port < 65536:
        raise reader.doc.error(reader.key("port"), f"port {port} out of range 1-65535")
    username = reader.get("username", str)
    password = reader.secret("password", root)
    if proto == "imap" and not username:
        raise reader.doc.error(reader.key("username"), "missing", "add the mailbox's login name")
    if username and password is None:
        raise reader.doc.error(reader.key("username"), "a username needs a password",
                               "add password_env: VARIABLE or password_file: PATH")
    ca_file = reader.get("ca_file", str)
    return ServerConfig(
        host=reader.get("host", str, required=True), port=port, security=security,
        username=username, password=password,
        ca_file=(root / ca_file).resolve() if ca_file else None,
        verify=reader.get("verify", bool, True), timeout=reader.get("timeout", float, 30.0),
    )


def _forms(doc: YamlDoc, data: Any, key: str) -> dict[str, tuple[FormField, ...]]:
    reader = _Reader(doc, data, key)
    reader.unknown_keys({"mentee", "mentor"})
    forms: dict[str, tuple[FormField, ...]] = {}
    for role in ("mentee", "mentor"):
        items = reader.get(role, list, required=True)
        fields = []
        for index, item in enumerate(items):
            item_reader = _Reader(doc, item, f"{reader.key(role)}[{index}]")
            item_reader.unknown_keys({"key", "label", "labels", "required", "shareable", "help"})
            label = item_reader.get("label", str, required=True)
            other = item_reader.get("labels", list, [])
            fields.append(FormField(
                key=item_reader.get("key", str, required=True), label=label,
                labels=(label, *[str(x) for x in other]),
                required=item_reader.get("required", bool, False),
                shareable=item_reader.get("shareable", bool, False),
                help=item_reader.get("help", str, ""),
            ))
        forms[role] = tuple(fields)
    return forms


def _surveys(doc: YamlDoc, data: Any, key: str) -> dict[str, Survey]:
    reader = _Reader(doc, data, key)
    surveys = {}
    for name in reader.data:
        survey = _Reader(doc, reader.data[name], reader.key(str(name)))
        survey.unknown_keys({"title", "questions"})
        questions = []
        for index, item in enumerate(survey.get("questions", list, required=True)):
            q = _Reader(doc, item, f"{survey.key('questions')}[{index}]")
            q.unknown_keys({"number", "kind", "text", "required", "low", "high"})
            kind = q.get("kind", str, required=True)
            if kind not in SURVEY_KINDS:
                raise doc.error(q.key("kind"), f"unknown question kind {kind!r}",
                                f"use one of: {', '.join(SURVEY_KINDS)}")
            questions.append(Question(
                number=q.get("number", int, index + 1), kind=kind,
                text=q.get("text", str, required=True), required=q.get("required", bool, True),
                low=q.get("low", int, 1), high=q.get("high", int, 5)))
        numbers = [q.number for q in questions]
        if len(set(numbers)) != len(numbers):
            raise doc.error(survey.key("questions"), "two questions have the same number")
        surveys[str(name)] = Survey(key=str(name), questions=questions,
                                    title=survey.get("title", str, ""))
    return surveys


def load_config(root: Path) -> Config:
    """Read ``ROOT/config.yaml`` and return the validated program configuration."""
    root = root.resolve()
    doc = load_yaml(root / CONFIG_NAME)
    top = _Reader(doc, doc.data, "")
    top.unknown_keys({"program", "coordinators", "mailbox", "outbox", "forms", "surveys",
                      "calendar", "paths"})

    program = top.sub("program")
    if program is None:
        raise doc.error("program", "missing", "add 'program:' with 'name:' and 'address:'")
    program.unknown_keys({"name", "address", "language", "timezone", "secret_env", "secret_file",
                          "secret"})
    language = program.get("language", str, "en")
    if language not in LANGUAGES:
        raise doc.error("program.language", f"unsupported language {language!r}",
                        f"use one of: {', '.join(LANGUAGES)}")
    timezone = program.get("timezone", str, "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise doc.error("program.timezone", f"unknown time zone {timezone!r}",
                        "use an IANA name such as Europe/Paris or America/Montreal") from exc

    coordinators_raw = top.get("coordinators", list, required=True)
    if not coordinators_raw:
        raise doc.error("coordinators", "at least one coordinator is needed")
    coordinators = []
    for index, item in enumerate(coordinators_raw):
        reader = _Reader(doc, item, f"coordinators[{index}]")
        reader.unknown_keys({"name", "email"})
        coordinators.append(Person(reader.get("name", str, required=True), reader.email("email")))

    mailbox = top.sub("mailbox") or _Reader(doc, {}, "mailbox")
    mailbox.unknown_keys({"imap", "maildir", "folder", "processed_folder", "idle_renew_seconds",
                          "authserv_id"})
    imap = mailbox.sub("imap")
    renew = mailbox.get("idle_renew_seconds", int, 540)
    if not 10 <= renew <= 600:
        raise doc.error("mailbox.idle_renew_seconds", f"{renew} is outside 10-600",
                        "IDLE is renewed at most every 10 minutes; use 540")
    mailbox_config = MailboxConfig(
        imap=_server(imap, "imap", root) if imap else None,
        maildir=(root / mailbox.get("maildir", str, "mail")).resolve(),
        folder=mailbox.get("folder", str, "INBOX"),
        processed_folder=mailbox.get("processed_folder", str),
        idle_renew_seconds=renew,
        authserv_id=mailbox.get("authserv_id", str),
    )

    outbox = top.sub("outbox") or _Reader(doc, {}, "outbox")
    outbox.unknown_keys({"smtp", "directory", "rate_per_minute", "max_attempts",
                         "retry_base_seconds", "give_up_hours"})
    smtp = outbox.sub("smtp")
    outbox_config = OutboxConfig(
        smtp=_server(smtp, "smtp", root) if smtp else None,
        directory=(root / outbox.get("directory", str, "sent-mail")).resolve(),
        rate_per_minute=outbox.get("rate_per_minute", int, 120),
        max_attempts=outbox.get("max_attempts", int, 8),
        retry_base_seconds=outbox.get("retry_base_seconds", float, 30.0),
        give_up_hours=outbox.get("give_up_hours", float, 72.0),
    )
    if outbox_config.rate_per_minute < 1:
        raise doc.error("outbox.rate_per_minute", "must be at least 1")

    if top.data.get("forms") is not None:
        forms = _forms(doc, top.data["forms"], "forms")
    else:
        default_doc = load_yaml(DEFAULT_FORMS)
        forms = _forms(default_doc, default_doc.data, "")

    if top.data.get("surveys") is not None:
        surveys = _surveys(doc, top.data["surveys"], "surveys")
    else:
        default_doc = load_yaml(DEFAULT_SURVEYS)
        surveys = _surveys(default_doc, default_doc.data, "")

    paths = top.sub("paths") or _Reader(doc, {}, "paths")
    paths.unknown_keys({"rules", "templates", "state"})
    rules_dir = root / paths.get("rules", str, "rules")
    templates_dir = root / paths.get("templates", str, "templates")
    for key, value in (("paths.rules", paths.data.get("rules")),
                       ("paths.templates", paths.data.get("templates"))):
        if value is not None and not (root / value).is_dir():
            raise doc.error(key, f"folder {root / value} does not exist",
                            "create it or remove the key to use the built-in one")
    return Config(
        root=root,
        name=program.get("name", str, required=True),
        address=program.email("address"),
        language=language,
        timezone=timezone,
        coordinators=tuple(coordinators),
        mailbox=mailbox_config,
        outbox=outbox_config,
        forms=forms,
        surveys=surveys,
        calendar=load_calendar(doc, top.data.get("calendar"), ZoneInfo(timezone)),
        rules_dir=rules_dir if rules_dir.is_dir() else BUILTIN_RULES,
        templates_dirs=tuple(dict.fromkeys(
            d.resolve() for d in (templates_dir, BUILTIN_TEMPLATES) if d.is_dir())),
        state_dir=(root / paths.get("state", str, "state")).resolve(),
        secret=program.secret("secret", root),
    )
