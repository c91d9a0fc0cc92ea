"""Attacks on the changes of session 9: the snapshot written in parts (store/storage.py),
compiled templates cached on disk (outbound/template_code.py), firings removed past
retention.history_days with daily housekeeping (program/history.py, daemon.py), the
erasure of duplicate deliveries (program/privacy.py) and Table.rows() (store/table.py).

A test marked xfail(strict=True) shows a defect as it stands; the others are attacks that
held and pin the behaviour."""

from __future__ import annotations

import json
import marshal
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from jinja2.sandbox import SandboxedEnvironment

import mailflow.store.storage as storage_module
from mailflow.errors import TemplateError
from mailflow.housekeeping import compact_program
from mailflow.inbound.ledger import Ledger, RawMessage
from mailflow.outbound import template_code
from mailflow.outbound.template_code import TemplateCode, template_cache
from mailflow.outbound.templates import Templates
from mailflow.program import participants
from mailflow.program.coordination import review
from mailflow.program.coordination.review import ReviewItem
from mailflow.runtime import open_program
from mailflow.store import StateWriteError, Store
from mailflow.store.storage import LOG_KEY, encode_snapshot, write_atomic
from tests.program.cohort_year import days_with_housekeeping, made_since
from tests.program.year import START, ZONE, Run, new_program, roster
from tests.unit.limits import file_size_limit

ROOT = Path(__file__).resolve().parents[2]


# --- 1. the snapshot written in parts ---------------------------------------------------------

def test_a_snapshot_in_parts_is_the_json_of_the_whole_a_table_a_line_for_awkward_text(
        monkeypatch):
    monkeypatch.setattr(storage_module, "SNAPSHOT_PART", 3)
    awkward = ["Léa", "line\u2028sep\u2029para", "\x00nul\"quote\\", "日本語", "🙂" * 3,
               "x" * 300_000, "</script>", ""]
    data = {"people": {str(i): {"n": text, "i": i} for i, text in enumerate(awkward)},
            "empty": {},
            "exactly": {str(i): {"i": i} for i in range(1, 7)}}  # two whole parts

    written = b"".join(encode_snapshot(data, 42))

    whole = {**data, LOG_KEY: {"1": {"seq": 42}}}
    assert json.loads(written) == whole
    lines = written.split(b"\n")
    assert lines[0] == b"{" and len(lines) == 1 + len(whole)
    assert [json.loads(b"{" + line[:-1] + b"}")
            for line in lines[1:]] == [{name: table} for name, table in whole.items()]


def test_a_store_holding_awkward_text_folds_and_reads_back(tmp_path, monkeypatch):
    monkeypatch.setattr(storage_module, "SNAPSHOT_PART", 2)
    texts = ["line\u2028sep", "é" * 100_000, "🙂", "\u0085next"]
    with Store(tmp_path) as store:
        store.table("events").insert_multiple({"note": t} for t in texts)
        store.storage.compact()
    with Store(tmp_path) as store:
        assert [e["note"] for e in store.table("events").all()] == texts


def test_parts_that_fail_mid_way_leave_no_temporary_file_nor_a_damaged_snapshot(tmp_path):
    path = tmp_path / "store.json"
    path.write_bytes(b'{"old":{}}')

    def parts():
        yield b'{"new":'
        raise UnicodeEncodeError("utf-8", "\udce9", 0, 1, "surrogates not allowed")

    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, parts())

    assert path.read_bytes() == b'{"old":{}}'
    assert not (tmp_path / ".store.json.tmp").exists()


def test_a_lone_surrogate_is_refused_without_losing_what_was_committed(tmp_path):
    with Store(tmp_path) as store:
        store.table("events").insert({"note": "kept"})
        with pytest.raises(UnicodeEncodeError):
            store.table("events").insert({"note": "bad \udce9 byte"})
        store.storage.discard()
    with Store(tmp_path) as store:
        assert [e["note"] for e in store.table("events").all()] == ["kept"]
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_full_disk_mid_fold_keeps_the_snapshot_and_every_commit(tmp_path, monkeypatch):
    monkeypatch.setattr(storage_module, "SNAPSHOT_PART", 10)
    store = Store(tmp_path)
    store.table("events").insert_multiple({"n": i, "pad": "x" * 200} for i in range(300))
    store.storage.compact()
    for i in range(300, 400):  # the log now holds a third of the snapshot
        store.table("events").insert({"n": i, "pad": "y" * 200})
    snapshot = (tmp_path / "store.json").read_bytes()
    with file_size_limit(len(snapshot) // 2), pytest.raises(StateWriteError):
        store.storage.compact()  # cut short half-way through the parts

    assert (tmp_path / "store.json").read_bytes() == snapshot
    assert not (tmp_path / ".store.json.tmp").exists()
    store.table("events").insert({"n": 400})  # the store still takes commits
    store.close()
    with Store(tmp_path) as store:
        assert [e["n"] for e in store.table("events").all()] == list(range(401))


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    import mailflow.store.storage as storage
    from mailflow.store import Store
    storage.SNAPSHOT_PART = 7  # many parts per fold
    store = Store(Path(sys.argv[1]))
    table = store.table("events")
    n = len(table)
    while True:
        table.insert({"n": n, "text": "é\\u2028" + "z" * (n % 400)})
        print(n, flush=True)  # printed once committed
        n += 1
        if n % 25 == 0:
            store.storage.compact()
""")


def test_kill_9_of_a_writer_mid_fold_loses_nothing_committed(tmp_path):
    rng = random.Random(9)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    committed = -1
    for _ in range(6):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], env=env,
                                  stdout=subprocess.PIPE, text=True)
        assert writer.stdout is not None
        first = writer.stdout.readline()  # started, and committed one
        assert first
        time.sleep(rng.uniform(0.05, 0.4))
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate()
        committed = int([first, *out.split()][-1])
        with Store(tmp_path) as store:
            numbers = [e["n"] for e in store.table("events").all()]
        # Every commit printed is there, in order, and nothing past what was attempted.
        assert numbers[:committed + 1] == list(range(committed + 1))
        assert len(numbers) in (committed + 1, committed + 2)
        if len(numbers) == committed + 2:  # committed, killed before the print
            assert numbers[-1] == committed + 1
    assert committed > 50


# --- 2. compiled templates cached on disk -----------------------------------------------------

@pytest.fixture
def fresh_process(monkeypatch):
    """Nothing compiled in memory, as in a new process."""
    monkeypatch.setattr(template_code, "_MEMORY", {})


def folder_with(tmp_path: Path, body: str = "Hello {{ name }}.\n", html: str | None = None,
                ) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    (folder / "welcome.en.txt").write_text(f"Subject: Hi {{{{ name }}}}\n\n{body}")
    if html is not None:
        (folder / "welcome.en.html").write_text(html)
    return folder


def render(folder: Path, cache: Path, **context: object):
    return Templates([folder], "en", cache=cache).render("welcome", "en",
                                                         {"name": "A", **context})


def planted(cache: Path, source: str, html: bool = False, text: str = "PLANTED\n") -> Path:
    """Code that renders ``text``, under the file name of ``source``'s code."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / TemplateCode._name(html, source)
    path.write_bytes(marshal.dumps(SandboxedEnvironment().compile(text)))
    return path


def test_code_another_user_planted_in_a_shared_cache_folder_is_not_run(tmp_path,
                                                                       fresh_process):
    folder, cache = folder_with(tmp_path), tmp_path / "tmp" / "mailflow" / "templates"
    cache.mkdir(parents=True)
    cache.chmod(0o777)  # XDG_CACHE_HOME=/tmp: a folder anyone can write to
    path = planted(cache, "Hello {{ name }}.\n")
    os.chown(path, 54321, 54321)  # ... and another user did

    assert render(folder, cache).text == "Hello A.\n"


def test_a_cache_file_that_others_can_write_is_not_run(tmp_path, fresh_process):
    folder, cache = folder_with(tmp_path), tmp_path / "cache"
    planted(cache, "Hello {{ name }}.\n").chmod(0o666)

    assert render(folder, cache).text == "Hello A.\n"


def test_a_symlink_to_another_user_s_code_is_not_followed(tmp_path, fresh_process):
    folder, cache = folder_with(tmp_path), tmp_path / "cache"
    elsewhere = planted(tmp_path / "elsewhere", "Hello {{ name }}.\n")
    os.chown(elsewhere, 54321, 54321)
    cache.mkdir()
    cache.chmod(0o777)
    (cache / elsewhere.name).symlink_to(elsewhere)

    assert render(folder, cache).text == "Hello A.\n"


def test_a_fifo_in_place_of_a_cache_file_does_not_hang_the_command(tmp_path, fresh_process):
    folder, cache = folder_with(tmp_path), tmp_path / "cache"
    cache.mkdir()
    os.mkfifo(cache / TemplateCode._name(False, "Hello {{ name }}.\n"))

    class Hung(Exception):  # not an OSError, which the reader would take for a bad file
        pass

    def hung(*_):
        raise Hung("reading the cache blocked on a FIFO")
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(5)
    try:
        assert render(folder, cache).text == "Hello A.\n"  # read_bytes() on it would block
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_zero_length_or_truncated_cache_file_is_compiled_again(tmp_path, fresh_process):
    folder, cache = folder_with(tmp_path), tmp_path / "cache"
    render(folder, cache)
    files = sorted(cache.iterdir())
    files[0].write_bytes(b"")
    files[1].write_bytes(files[1].read_bytes()[:17])
    template_code._MEMORY.clear()

    assert render(folder, cache).text == "Hello A.\n"


def test_a_folder_in_place_of_a_cache_file_only_costs_a_compilation(tmp_path, fresh_process):
    folder, cache = folder_with(tmp_path), tmp_path / "cache"
    (cache / TemplateCode._name(False, "Hello {{ name }}.\n")).mkdir(parents=True)

    assert render(folder, cache).text == "Hello A.\n"
    template_code._MEMORY.clear()
    assert render(folder, cache).text == "Hello A.\n"


def test_a_relative_xdg_cache_home_is_ignored(tmp_path, monkeypatch):
    # The XDG spec: a relative path in these variables is invalid and must be ignored; it
    # would put a cache folder in whatever folder the command runs in (the program's).
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", "cache")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))

    assert template_cache() == tmp_path / "home" / ".cache" / "mailflow" / "templates"


def test_without_home_nor_xdg_cache_home_the_cache_is_the_user_s(monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("HOME", raising=False)

    found = template_cache()
    assert found is None or found.is_absolute()


def test_a_template_edited_between_runs_renders_the_new_text(tmp_path, fresh_process):
    cache = tmp_path / "cache"
    assert render(folder_with(tmp_path), cache).text == "Hello A.\n"
    template_code._MEMORY.clear()
    folder = folder_with(tmp_path, body="Bye {{ name }}.\n")

    assert render(folder, cache).text == "Bye A.\n"


def test_the_sandbox_still_refuses_an_escape_when_the_code_comes_from_the_cache(
        tmp_path, fresh_process):
    folder = folder_with(tmp_path, body="{{ name.__class__.__mro__[1].__subclasses__() }}\n")
    cache = tmp_path / "cache"
    with pytest.raises(TemplateError):
        render(folder, cache)
    assert list(cache.iterdir())  # compiled and kept
    template_code._MEMORY.clear()

    with pytest.raises(TemplateError, match=r"unsafe|not safely|access"):
        render(folder, cache)


def test_html_is_escaped_when_the_same_source_was_cached_as_text_first(tmp_path,
                                                                       fresh_process):
    same = "<p>{{ name }}</p>\n"
    folder, cache = folder_with(tmp_path, body=same, html=same), tmp_path / "cache"
    Templates([folder], "en", cache=cache)._template(same, html=False)  # text first
    template_code._MEMORY.clear()

    rendered = render(folder, cache, name="<b>x</b>")

    assert rendered.text == "<p><b>x</b></p>\n"
    assert rendered.html == "<p>&lt;b&gt;x&lt;/b&gt;</p>\n"


COMPILER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from mailflow.outbound.templates import Templates
    root = Path(sys.argv[1])
    for _ in range(20):
        from mailflow.outbound import template_code
        template_code._MEMORY.clear()
        text = Templates([root / "templates"], "en", cache=root / "cache").render(
            "welcome", "en", {"name": "A"}).text
        assert text == "Hello A.\\n", text
    print("ok")
""")


def test_two_processes_compiling_the_same_template_at_once_both_render_it(tmp_path):
    folder_with(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [subprocess.Popen([sys.executable, "-c", COMPILER, str(tmp_path)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outs = [run.communicate(timeout=120) for run in runs]

    assert [out for out, _ in outs] == ["ok\n", "ok\n"], outs
    assert not list((tmp_path / "cache").glob(".*.tmp"))


# --- 3. firings removed past retention.history_days -------------------------------------------

DAY = timedelta(days=1)


def outbox_keys(run: Run) -> Counter:
    outbox = run.program.outbox
    return Counter([i.key for i in outbox.items.values()])


@pytest.mark.parametrize("down_days", [50, 100, 200])
def test_a_daemon_down_for_months_makes_no_firing_twice(tmp_path, down_days):
    run = Run.open(new_program(tmp_path / "program"))
    roster(run.program)
    made: list[str] = []
    down = datetime(2027, 2, 10, tzinfo=ZONE)
    newest = days_with_housekeeping(run, START, down, made, 0)
    run.restart()
    up = down + timedelta(days=down_days)
    days_with_housekeeping(run, up, up + timedelta(days=20), made, newest)

    assert made and max(Counter(made).values()) == 1, Counter(made).most_common(3)
    assert max(outbox_keys(run).values()) == 1
    run.close()


def test_a_clock_put_back_by_weeks_makes_no_firing_twice(tmp_path):
    run = Run.open(new_program(tmp_path / "program"))
    roster(run.program)
    made: list[str] = []
    back = datetime(2027, 3, 10, tzinfo=ZONE)
    newest = days_with_housekeeping(run, START, back, made, 0)
    run.restart()
    days_with_housekeeping(run, back - timedelta(weeks=3), back + timedelta(days=10), made,
                           newest)

    assert made and max(Counter(made).values()) == 1, Counter(made).most_common(3)
    assert max(outbox_keys(run).values()) == 1
    run.close()


def ahead_then_right(tmp_path) -> tuple[Run, Counter, list[str]]:
    """A program run to 1 March, one housekeeping with the clock 70 days ahead (a bad NTP
    step), then two more days with the clock put right."""
    run = Run.open(new_program(tmp_path / "program"))
    roster(run.program)
    real = datetime(2027, 3, 1, tzinfo=ZONE)
    run.ticks(START, real, step=timedelta(hours=2))
    before, newest = made_since(run, 0)
    compact_program(run.program, real + timedelta(days=70))
    run.ticks(real, real + 2 * DAY, step=timedelta(hours=2))
    after, _ = made_since(run, newest)
    return run, Counter(before), after


def test_a_housekeeping_with_the_clock_ahead_queues_no_mail_twice(tmp_path):
    run, _, _ = ahead_then_right(tmp_path)

    assert max(outbox_keys(run).values()) == 1
    run.close()


def test_a_housekeeping_with_the_clock_ahead_makes_no_firing_again(tmp_path):
    run, before, after = ahead_then_right(tmp_path)
    run.close()

    assert [key for key in after if key in before] == []


# --- 4. the erasure of duplicate deliveries ---------------------------------------------------

WHO, STRANGER = "mentee0@example.org", "mentee1@example.org"  # participants of year.roster
JANUARY = "2027-01-10T09:00:00+00:00"


def raw(key: str, sender: str, message_id: str, text: str) -> RawMessage:
    return RawMessage("maildir", key, (
        f"From: <{sender}>\r\nMessage-ID: <{message_id}>\r\nSubject: hello\r\n\r\n"
        f"{text}\r\n").encode())


def handled(store: Store, message: RawMessage, sender: str) -> dict:
    ledger = Ledger(store)
    [entry] = ledger.record([message], JANUARY)
    if entry["state"] != "duplicate":
        ledger.finish(entry, "processed", {"sender": sender, "participant": sender,
                                           "kind": "reply", "subject": "hello"})
    return entry


def spool_bytes(store: Store) -> bytes:
    return b"".join(p.read_bytes() for p in sorted((store.state_dir / "messages").iterdir()))


def erase(run: Run, email: str, confirming: str) -> None:
    store = run.program.store
    run.program.handler.privacy.erase(participants.find(store, email), confirming,
                                      datetime(2027, 6, 1, tzinfo=UTC))


def test_an_erasure_leaves_an_unrelated_duplicate_alone(run):
    store = run.program.store
    handled(store, raw("maildir:1", STRANGER, "s1@example.net", "STRANGER1"), STRANGER)
    handled(store, raw("maildir:2", WHO, "w1@example.org", "WHO1"), WHO)
    assert handled(store, raw("maildir:3", WHO, "w1@example.org", "WHO1"), WHO)[
        "state"] == "duplicate"

    erase(run, STRANGER, "maildir:1")

    assert spool_bytes(store).count(b"WHO1") == 2
    assert b"STRANGER1" not in spool_bytes(store)


def test_a_stranger_s_erasure_does_not_wipe_mail_that_reused_their_message_id(run):
    store = run.program.store
    handled(store, raw("maildir:1", STRANGER, "w1@example.org", "FORGED"), STRANGER)
    victim = handled(store, raw("maildir:2", WHO, "w1@example.org", "VICTIM"), WHO)
    assert victim["state"] == "duplicate"

    erase(run, STRANGER, "maildir:1")

    assert b"VICTIM" in spool_bytes(store)


def test_a_person_s_mail_recorded_as_a_duplicate_of_another_s_is_wiped_at_their_erasure(
        run):
    store = run.program.store
    handled(store, raw("maildir:1", STRANGER, "same@example.org", "FIRST"), STRANGER)
    handled(store, raw("maildir:2", WHO, "same@example.org", "SECRET-OF-WHO"), WHO)

    erase(run, WHO, "maildir:9")

    assert b"SECRET-OF-WHO" not in spool_bytes(store)


# --- 5. Table.rows() --------------------------------------------------------------------------

def test_a_row_cannot_be_written_through(tmp_path):
    with Store(tmp_path) as store:
        store.table("events").insert({"type": "note", "tags": ["a"]})
        [row] = store.table("events").rows()
        with pytest.raises(TypeError):
            row["type"] = "changed"  # type: ignore[index]


def test_a_review_item_read_by_a_scan_does_not_share_its_lists_with_the_store(tmp_path):
    with Store(tmp_path) as store:
        with store.transaction():
            review.open_item(store, ReviewItem(created=JANUARY, problems=["empty message"],
                                               references=["<a@example.org>"]))
        [item] = review.items(store)
        item.problems.append("seen by a view")  # a caller's own copy, it may change it
        item.references.clear()

        [row] = store.table(review.TABLE).all()
        assert (row["problems"], row["references"]) == (["empty message"],
                                                        ["<a@example.org>"])


def test_a_scan_s_ids_taken_before_a_write_still_name_the_same_documents(tmp_path):
    with Store(tmp_path) as store:
        table = store.table("events")
        table.insert_multiple({"n": n} for n in range(5))
        rows = table.rows()
        table.remove(doc_ids=[2])
        table.insert({"n": 99})  # never reuses the id of the removed one

        assert [r.doc_id for r in rows if r["n"] in (1, 3)] == [2, 4]
        assert {r.doc_id: r["n"] for r in table.rows()} == {1: 0, 3: 2, 4: 3, 5: 4, 6: 99}


# --- 3b. the daemon's daily housekeeping and its clock ----------------------------------------

def test_the_daemon_s_housekeeping_goes_on_within_a_day_after_its_clock_went_back_a_week(
        tmp_path):
    from mailflow.daemon import Daemon
    from tests.unit.conftest import MINIMAL_CONFIG, write_config

    write_config(tmp_path, MINIMAL_CONFIG)
    program = open_program(tmp_path)
    ahead = datetime(2027, 6, 8, 9, 0, tzinfo=UTC)
    now = ahead
    try:
        daemon = Daemon(program, clock=lambda: now)
        daemon.compact()  # a clock a week ahead, then put right
        right = ahead - timedelta(weeks=1)
        created = (right - timedelta(days=61)).isoformat()  # expired by the right clock too
        program.store.table("review").insert({"kind": "stranger", "created": created,
                                              "resolved": False})
        for hours in range(1, 26):
            now = right + timedelta(hours=hours)
            daemon.compact()
        resolved = bool(program.store.table("review").all()[0].get("resolved"))
    finally:
        program.close()

    assert resolved
