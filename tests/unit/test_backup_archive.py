"""A restore trusts nothing in the archive: manifest, checksums, paths, member kinds, target."""

from __future__ import annotations

import io
import json
import stat
import tarfile
from pathlib import Path

import pytest

from mailflow.commands.backup import BackupError, check_archive, restore, write_archive
from mailflow.store.snapshot import Snapshot, take_snapshot

FILES = {
    "config.yaml": b"program:\n  name: Northlake Mentorship Program\n",
    "rules/applications.yaml": b"- name: stranger\n",
    "state/store.json": b'{"_meta":{"1":{"schema_version":1}}}',
    "state/outbox/journal.jsonl": b'{"op":"set","id":"x","state":"sent"}\n',
}


def archive_of(tmp_path: Path, files: dict[str, bytes] = FILES) -> Path:
    path = tmp_path / "backup.tar.gz"
    write_archive(Snapshot(dict(files), 1), path, "Northlake Mentorship Program")
    return path


def members_of(path: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(path, "r:gz") as tar:
        return [(m, tar.extractfile(m).read()) for m in tar.getmembers()]  # type: ignore[union-attr]


def rewrite(path: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            info.size = len(data) if info.isreg() else 0
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)


def test_a_restored_program_has_every_file_byte_for_byte(tmp_path):
    target = tmp_path / "restored"
    restore(archive_of(tmp_path), target)
    assert {p.relative_to(target).as_posix(): p.read_bytes()
            for p in target.rglob("*") if p.is_file()} == FILES


def test_restored_files_are_the_owners_alone(tmp_path):
    target = tmp_path / "restored"
    restore(archive_of(tmp_path), target)
    for path in [target, *target.rglob("*")]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path


def test_the_manifest_lists_every_file_with_its_size_and_checksum(tmp_path):
    [(_, manifest), *_] = members_of(archive_of(tmp_path))
    data = json.loads(manifest)
    assert data["format"] == "mailflow-backup" and data["version"] == 1
    assert data["program"] == "Northlake Mentorship Program" and data["created"]
    entry = next(e for e in data["files"] if e["path"] == "state/store.json")
    assert entry["size"] == len(FILES["state/store.json"]) and len(entry["sha256"]) == 64


def test_check_reports_a_sound_archive_and_writes_nothing(tmp_path):
    archive = archive_of(tmp_path)
    summary = check_archive(archive)
    assert summary.files == len(FILES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.tar.gz"]


def test_a_changed_byte_is_refused_by_its_checksum(tmp_path):
    archive = archive_of(tmp_path)
    members = members_of(archive)
    members = [(i, d.replace(b"sent", b"sens") if i.name.endswith("journal.jsonl") else d)
               for i, d in members]
    rewrite(archive, members)
    with pytest.raises(BackupError, match=r"journal\.jsonl.*checksum"):
        check_archive(archive)


def test_a_truncated_archive_is_refused(tmp_path):
    archive = archive_of(tmp_path)
    archive.write_bytes(archive.read_bytes()[:-40])
    with pytest.raises(BackupError, match="not a readable mailflow backup"):
        check_archive(archive)


def test_a_member_climbing_out_with_dotdot_is_refused_and_nothing_is_written(tmp_path):
    archive = archive_of(tmp_path)
    members = members_of(archive)
    members.append((tarfile.TarInfo("program/../../escaped"), b"owned"))
    rewrite(archive, members)
    with pytest.raises(BackupError, match="not a plain relative path"):
        restore(archive, tmp_path / "restored")
    assert not (tmp_path / "escaped").exists() and not (tmp_path.parent / "escaped").exists()
    assert not (tmp_path / "restored").exists()


def test_an_absolute_member_is_refused(tmp_path):
    archive = archive_of(tmp_path)
    members = members_of(archive)
    members.append((tarfile.TarInfo("/tmp/mailflow-absolute"), b"owned"))
    rewrite(archive, members)
    with pytest.raises(BackupError, match="not a plain relative path"):
        check_archive(archive)


def test_a_symbolic_link_member_is_refused(tmp_path):
    archive = archive_of(tmp_path)
    members = members_of(archive)
    link = tarfile.TarInfo("program/state/messages")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc"
    members.append((link, b""))
    rewrite(archive, members)
    with pytest.raises(BackupError, match="not a regular file"):
        restore(archive, tmp_path / "restored")
    assert not (tmp_path / "restored").exists()


def test_a_member_the_manifest_does_not_list_is_refused(tmp_path):
    archive = archive_of(tmp_path)
    members = members_of(archive)
    members.append((tarfile.TarInfo("program/state/extra"), b"added later"))
    rewrite(archive, members)
    with pytest.raises(BackupError, match="not in its manifest"):
        check_archive(archive)


def test_an_archive_without_a_config_is_not_a_program(tmp_path):
    files = {k: v for k, v in FILES.items() if k != "config.yaml"}
    with pytest.raises(BackupError, match=r"no config\.yaml"):
        check_archive(archive_of(tmp_path, files))


def test_a_tar_without_a_manifest_is_not_a_backup(tmp_path):
    archive = tmp_path / "other.tar.gz"
    rewrite(archive, [(tarfile.TarInfo("program/config.yaml"), b"x")])
    with pytest.raises(BackupError, match=r"no MANIFEST\.json"):
        check_archive(archive)


def test_a_non_empty_target_is_never_overwritten(tmp_path):
    target = tmp_path / "restored"
    target.mkdir()
    (target / "config.yaml").write_text("a program already here\n")
    with pytest.raises(BackupError, match="not an empty directory"):
        restore(archive_of(tmp_path), target)
    assert (target / "config.yaml").read_text() == "a program already here\n"
    assert [p.name for p in target.iterdir()] == ["config.yaml"]


def test_an_empty_target_directory_is_restored_into(tmp_path):
    target = tmp_path / "restored"
    target.mkdir()
    restore(archive_of(tmp_path), target)
    assert (target / "config.yaml").read_bytes() == FILES["config.yaml"]


def test_a_snapshot_leaves_out_the_lock_and_temporary_files(tmp_path):
    for path, data in {**FILES, "state/lock": b"123", "state/.store.json.tmp": b"{"}.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    assert take_snapshot(tmp_path, tmp_path / "state").files == FILES


def test_a_snapshot_keeps_the_journal_up_to_its_last_whole_line(tmp_path):
    for path, data in FILES.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    journal = tmp_path / "state/outbox/journal.jsonl"
    journal.write_bytes(FILES["state/outbox/journal.jsonl"] + b'{"op":"set","id":"y","st')
    snapshot = take_snapshot(tmp_path, tmp_path / "state")
    assert snapshot.files["state/outbox/journal.jsonl"] == FILES["state/outbox/journal.jsonl"]


def test_a_snapshot_never_follows_a_symbolic_link(tmp_path):
    for path, data in FILES.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    secret = tmp_path.parent / f"{tmp_path.name}-outside"
    secret.write_text("not the program's")
    (tmp_path / "templates").symlink_to(secret)
    assert "templates" not in take_snapshot(tmp_path, tmp_path / "state").files
