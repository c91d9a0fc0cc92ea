"""Compiled template code, kept in the process and in the user's cache folder.

Compiling the program's templates is most of the time a command takes to start (about
a second for the built-in set). Jinja's generated code depends only on the environment's
settings, which every ``Templates`` shares, and on the source; so the code is kept by
(HTML or text, source), as Jinja's own bytecode cache does for loaded templates. A file
that cannot be read or written is simply compiled again: the cache is never needed.
The folder is ``$XDG_CACHE_HOME/mailflow/templates`` (``~/.cache/...``), shared by the
programs of a user, never in state/: it is not the program's data and needs no backup.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from types import CodeType

import jinja2

from mailflow.store.storage import private_dir

SUFFIX = ".code"
_MEMORY: dict[tuple[bool, str], CodeType] = {}
_MEMORY_LIMIT = 4096  # sources kept in the process; past this it starts over
FILES_LIMIT = 2000  # files kept in the folder; past this the older half goes
# What else the code depends on: a newer Jinja or Python makes other code, under other names.
_VERSION = f"{jinja2.__version__}|{sys.implementation.cache_tag}|{marshal.version}"


class TemplateCode:
    """Code for template sources: from memory, from the cache folder, or compiled."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.used: set[str] = set()  # file names of the sources asked for

    def get(self, html: bool, source: str, compile_: Callable[[str], CodeType]) -> CodeType:
        """The code of ``source``; ``compile_`` makes it when neither cache has it."""
        code = _MEMORY.get((html, source))
        name = self._name(html, source)
        self.used.add(name)
        if code is None:
            code = self._read(name)
            if code is None:
                code = compile_(source)
                self._write(name, code)
            if len(_MEMORY) >= _MEMORY_LIMIT:
                _MEMORY.clear()
            _MEMORY[(html, source)] = code
        return code

    def prune(self) -> None:
        """Past FILES_LIMIT files (templates edited over and over), remove the older half
        of those this program did not ask for."""
        if self.directory is None or not self.directory.is_dir():
            return
        files = list(self.directory.glob(f"*{SUFFIX}"))
        if len(files) <= FILES_LIMIT:
            return
        ages = []
        for path in files:
            with contextlib.suppress(OSError):
                if path.name not in self.used:
                    ages.append((path.stat().st_mtime, path))
        for _mtime, path in sorted(ages)[:len(files) // 2]:
            with contextlib.suppress(OSError):
                path.unlink()

    @staticmethod
    def _name(html: bool, source: str) -> str:
        key = f"{_VERSION}|{'html' if html else 'text'}|{source}".encode()
        return hashlib.sha256(key).hexdigest()[:40] + SUFFIX

    def _read(self, name: str) -> CodeType | None:
        """The code in file ``name``, if it is a regular file (not a link, a FIFO) of this
        user that no one else can write: the code is run, and $XDG_CACHE_HOME may be a
        folder others write to (/tmp)."""
        if self.directory is None:
            return None
        try:
            fd = os.open(self.directory / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if (not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid()
                    or info.st_mode & 0o022):
                return None
            with open(fd, "rb", closefd=False) as file:
                code = marshal.loads(file.read())
        except (OSError, ValueError, EOFError, TypeError):
            return None
        finally:
            os.close(fd)
        return code if isinstance(code, CodeType) else None

    def _write(self, name: str, code: CodeType) -> None:
        """Write the file by rename: a reader never sees half of it. Never fsynced: a
        file lost in a crash is compiled again."""
        if self.directory is None:
            return
        tmp = self.directory / f".{name}.{os.getpid()}.tmp"
        try:
            private_dir(self.directory)
            tmp.write_bytes(marshal.dumps(code))
            tmp.chmod(0o600)
            os.replace(tmp, self.directory / name)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()


def template_cache() -> Path | None:
    """The user's folder for compiled templates, or None without a home to put it in.

    A relative $XDG_CACHE_HOME is ignored, as the XDG spec says: it would put the folder
    wherever the command runs (the program's own folder)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:
            return None
    return Path(base) / "mailflow" / "templates"
