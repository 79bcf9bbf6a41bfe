"""File references in need files and settings: resolve them, and keep them in the project."""

from __future__ import annotations

import os
from pathlib import Path

OUTSIDE_HINT = ("set 'allow_outside_paths: true' in iso27035.yaml only if files outside must "
                "be referenced")
"""End of the hint of every finding about a path that leaves the project."""


class UnsafePathError(ValueError):
    """A file reference leaves the project or names no file; the message says which."""


def resolve_project_file(project_dir: Path, reference: str, *, allow_outside: bool) -> Path:
    """Return the file ``reference`` names, relative to ``project_dir``.

    Unless ``allow_outside`` is set, reject absolute paths, '..' and symbolic links
    that lead out of the project. The file must exist.
    """
    if not reference.strip():
        raise UnsafePathError("the path is empty")
    relative = Path(reference)
    if not allow_outside:
        if relative.is_absolute() or relative.drive:
            raise UnsafePathError(f"{reference!r} is an absolute path; give it relative to "
                                  "the project folder")
        if ".." in relative.parts:
            raise UnsafePathError(f"{reference!r} goes up with '..'; give a path inside "
                                  "the project folder")
    path = project_dir / relative
    if not allow_outside and leads_outside(project_dir, path):
        raise UnsafePathError(f"{reference!r} leads outside the project folder through a "
                              "symbolic link")
    if not path.is_file():
        raise UnsafePathError(f"{reference!r} is not a file of the project")
    return path.resolve()


def leads_outside(project_dir: Path, path: Path) -> bool:
    """Return whether ``path``, with its symbolic links resolved, lies outside ``project_dir``.

    A loop of symbolic links counts as inside, because it names no file and opening it fails.
    """
    root = project_dir.resolve()
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # Python before 3.13 raises RuntimeError on a loop
        return False
    return resolved != root and root not in resolved.parents


def paths_leading_outside(project_dir: Path, folder: Path) -> list[Path]:
    """Return the entries under ``folder`` that resolve outside ``project_dir``, sorted.

    ``folder`` itself is the only entry when it resolves outside. The walk follows
    symbolic links that stay inside the project, because a reader that opens a path
    under ``folder`` follows them too, and visits each real folder once.
    """
    if not folder.exists() and not folder.is_symlink():
        return []
    if leads_outside(project_dir, folder):
        return [folder]
    outside: list[Path] = []
    visited: set[Path] = set()
    for current, folders, files in os.walk(folder, followlinks=True):
        real = Path(current).resolve()
        if real in visited:
            folders.clear()
            continue
        visited.add(real)

        # an entry that is no link lies in the real folder, which is inside the project
        for name in [*folders, *files]:
            path = Path(current, name)
            if path.is_symlink() and leads_outside(project_dir, path):
                outside.append(path)
                if name in folders:
                    folders.remove(name)
    return sorted(outside)
