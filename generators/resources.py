"""Locations of the data that ships with the package: the catalog and the templates.

A wheel carries them under ``generators/_bundled``; a source checkout (and an editable
install) reads them from the top of the repository, where authors edit them.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_SOURCE_LAYOUT = {"catalog": Path("needs", "catalog"), "templates": Path("templates")}


def bundled_dir(name: str) -> Path:
    """Return the folder of bundled data ``name`` ("catalog" or "templates")."""
    installed = _PACKAGE_DIR / "_bundled" / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / _SOURCE_LAYOUT[name]
