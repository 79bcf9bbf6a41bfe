"""Write generated files in a child process while Sphinx reads pages.

The matrix files that the site offers for download take a tenth of a second at 1,000
needs, and more than a second at 20,000, to compute. Sphinx needs them only when it
copies the download files, after it has read the changed pages. Where the operating
system can fork a process cheaply and safely, a child process writes them meanwhile,
on another core, and the build waits for it before writing pages.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from generators.output import OutputError, write_if_changed

MESSAGE_LIMIT = 4000
"""Maximum of bytes of an error message that the child passes back."""


class BackgroundError(Exception):
    """Error of a child process that could not write its files, with the reason."""


@dataclass
class WriteJob:
    """A child process writing files, and the pipe for its error message."""

    pid: int
    messages: int


def can_fork() -> bool:
    """Return whether a child process may be forked here.

    Only Linux is trusted with a fork that is not followed by a new program, and only
    when this process runs a single thread: a lock held by another thread would stay
    locked in the child for good.
    """
    return sys.platform.startswith("linux") and hasattr(os, "fork") \
        and threading.active_count() == 1


def start_writing(folder: Path, compute: Callable[[], Mapping[str, bytes]]) -> WriteJob:
    """Fork a child that writes the files ``compute`` returns into ``folder``.

    Each file is written only if its content changed, through a temporary file, so a
    reader in the meantime gets the old file or the new one. The caller checks
    ``can_fork`` first and waits for the job with ``finish_writing``.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _write_and_exit(folder, compute, write_end)
    os.close(write_end)
    return WriteJob(pid, read_end)


def _write_and_exit(folder: Path, compute: Callable[[], Mapping[str, bytes]],
                    messages: int) -> None:
    """In the child: write the files, report an error through ``messages``, then exit.

    The child never returns into the build, and it exits without running the
    handlers and buffers it shares with its parent.
    """
    code = 0
    try:
        for name, data in compute().items():
            write_if_changed(folder / name, data)
    except BaseException as error:  # also an interruption: the parent reports it
        code = 1
        text = str(error) if isinstance(error, (OSError, OutputError)) \
            else f"{type(error).__name__}: {error}"
        with contextlib.suppress(OSError):
            os.write(messages, text.encode("utf-8", "replace")[:MESSAGE_LIMIT])
    finally:
        os._exit(code)


def finish_writing(job: WriteJob) -> None:
    """Wait for the child; raise BackgroundError with its message when it failed."""
    try:
        with os.fdopen(job.messages, "rb") as stream:
            message = stream.read().decode("utf-8", "replace")
        _, status = os.waitpid(job.pid, 0)
    except ChildProcessError:
        raise BackgroundError("the process writing the files was lost") from None
    if os.waitstatus_to_exitcode(status) != 0:
        raise BackgroundError(message or "the process writing the files ended early")
