"""File references in need files and settings: resolve them, and keep them in the project."""

from __future__ import annotations

from pathlib import Path


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
    root = project_dir.resolve()
    if not allow_outside:
        if relative.is_absolute() or relative.drive:
            raise UnsafePathError(f"{reference!r} is an absolute path; give it relative to "
                                  "the project folder")
        if ".." in relative.parts:
            raise UnsafePathError(f"{reference!r} goes up with '..'; give a path inside "
                                  "the project folder")
    path = (project_dir / relative).resolve()
    if not allow_outside and path != root and root not in path.parents:
        raise UnsafePathError(f"{reference!r} leads outside the project folder through a "
                              "symbolic link")
    if not path.is_file():
        raise UnsafePathError(f"{reference!r} is not a file of the project")
    return path
