"""One build at a time per output folder.

A site build moves the page cache out of the output folder, builds into a staging
folder beside it and then swaps the new site in. Two builds into one folder at the same
time would take the cache from each other and could swap in each other's half-built
sites. So every command that writes into an output folder holds an exclusive lock on a
file in it, and a second one waits until the first one has finished.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from generators.findings import display_path
from generators.output import OutputError, cannot_write

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment,unused-ignore]

LOCK_NAME = ".iso27035.lock"
"""The lock file, inside the output folder. Its content is never read."""

_HELD: set[tuple[int, Path]] = set()
"""The output folders that each thread of this process holds locked."""


@contextlib.contextmanager
def output_lock(out_dir: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the lock of ``out_dir`` in the block, creating the folder if needed.

    When another process holds it, call ``on_wait`` once (by default, print that this
    command waits) and wait for it. A thread
    that holds the lock already enters at once. When nothing but the lock file is in
    the folder at the end, the lock file is removed, and so is the folder if this call
    created it. Raise OutputError when the folder cannot be created or locked.
    """
    key = (threading.get_ident(), out_dir.resolve())
    if key in _HELD:
        yield
        return

    descriptor, created = _acquire(out_dir, on_wait or (lambda: _report_waiting(out_dir)))
    _HELD.add(key)
    try:
        yield
    finally:
        _HELD.discard(key)
        _remove_if_unused(out_dir, created)
        os.close(descriptor)  # closing the file releases the lock


def _report_waiting(out_dir: Path) -> None:
    """Print that a command waits for the lock of ``out_dir``."""
    click.echo(f"iso27035: another build is writing to {display_path(out_dir)}; waiting for it "
               "to finish", err=True)


def _acquire(out_dir: Path, on_wait: Callable[[], None]) -> tuple[int, bool]:
    """Return an open descriptor of the lock file, locked by this process.

    Also return whether this call created the output folder, in the attempt that got
    the lock: a build waiting for one that removed the folder creates it again.
    """
    path = out_dir / LOCK_NAME
    waited = False
    while True:
        created = _make_folder(out_dir)
        if path.is_symlink() or path.is_dir():
            kind = "symbolic link" if path.is_symlink() else "folder"
            raise OutputError(f"{path} is a {kind}, where iso27035 keeps the lock file of "
                              "its output folder; remove it and run again")
        try:
            # a link put there meanwhile is not followed
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0),
                                 0o644)
        except OSError as error:
            raise OutputError(cannot_write(path, error)) from None
        if fcntl is None:  # type: ignore[comparison-overlap,unused-ignore]
            # NOTE: without fcntl (Windows), builds into one folder are not kept apart.
            return descriptor, created  # type: ignore[unreachable,unused-ignore]
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not waited:
                    on_wait()
                    waited = True
                fcntl.flock(descriptor, fcntl.LOCK_EX)
        except BaseException:
            os.close(descriptor)
            raise
        if _is_current(descriptor, path):
            return descriptor, created
        # the previous holder removed the file after this process had opened it
        os.close(descriptor)


def _make_folder(out_dir: Path) -> bool:
    """Create ``out_dir`` and its parents if missing; return whether it was created here."""
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(cannot_write(out_dir, error)) from None
    try:
        out_dir.mkdir()
    except FileExistsError:
        if out_dir.is_dir():
            return False
        raise OutputError(f"{out_dir} is a file, not a folder; choose another output "
                          "folder") from None
    except OSError as error:
        raise OutputError(cannot_write(out_dir, error)) from None
    return True


def _is_current(descriptor: int, path: Path) -> bool:
    """Return whether ``descriptor`` is the file now at ``path``."""
    try:
        return os.path.samestat(os.fstat(descriptor), os.stat(path))
    except FileNotFoundError:
        return False


def _remove_if_unused(out_dir: Path, created: bool) -> None:
    """Remove the lock file of a folder that contains nothing else, and a folder created here.

    The lock is still held, so a process waiting for it finds that its file is gone
    and opens the lock file again.
    """
    try:
        if any(entry.name != LOCK_NAME for entry in out_dir.iterdir()):
            return
        (out_dir / LOCK_NAME).unlink()
        if created:
            out_dir.rmdir()
    except OSError:
        pass  # another process has put something there meanwhile, or it is gone
