"""Where mailflow's built-in files are, in an installed wheel or in a source checkout.

The example program (``config.yaml``, ``rules/``, ``templates/``) sits at the top of the
source tree; the wheel carries a copy in ``mailflow/example/`` (pyproject.toml maps it
there). Presets and default forms live inside the package in both cases.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from mailflow.errors import MailflowError

EXAMPLE_FILES = ("config.yaml", "rules", "templates")
"""The example program's parts: where they are depends on how mailflow was installed."""


def _package() -> Path:
    """The folder of the installed ``mailflow`` package (never a zip: pip unpacks wheels)."""
    return Path(str(files("mailflow"))).resolve()


def _example_places() -> tuple[Path, Path]:
    """Where the example program may be: bundled in the wheel first, then the checkout."""
    package = _package()
    return package / "example", package.parent


def builtin(name: str) -> Path:
    """The built-in file or folder ``name`` (e.g. ``rules``, ``presets``,
    ``config/default_forms.yaml``); a MailflowError naming where it looked if it is missing."""
    places = _example_places() if name.split("/")[0] in EXAMPLE_FILES else (_package(),)
    for place in places:
        if (place / name).exists():
            return place / name
    looked = " and ".join(str(place / name) for place in places)
    raise MailflowError(
        f"mailflow's built-in {name} is missing from this installation (looked in {looked})\n"
        "  fix: reinstall mailflow from a wheel built from the source tree "
        "(pip wheel . or pipx install .), or run it from a checkout with pip install -e ."
    )


def is_builtin(path: Path, name: str) -> bool:
    """Whether ``path`` is mailflow's own ``name`` (never raises: an installation without
    the example program simply has none)."""
    places = _example_places() if name.split("/")[0] in EXAMPLE_FILES else (_package(),)
    return any((place / name).exists() and (place / name).resolve() == path.resolve()
               for place in places)
