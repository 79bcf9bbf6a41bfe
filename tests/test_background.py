"""Matrix files written by a child process while Sphinx reads the changed pages."""

from __future__ import annotations

import subprocess
import sys
import threading
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from generators.sphinxext.background import (
    BackgroundError,
    can_fork,
    finish_writing,
    start_writing,
)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="files are written in a child process on Linux only")


def test_child_writes_the_files(tmp_path: Path) -> None:
    (tmp_path / "same.txt").write_bytes(b"unchanged")
    before = (tmp_path / "same.txt").stat().st_mtime_ns

    job = start_writing(tmp_path, lambda: {"new.txt": b"written", "same.txt": b"unchanged"})
    finish_writing(job)

    assert (tmp_path / "new.txt").read_bytes() == b"written"
    assert (tmp_path / "same.txt").stat().st_mtime_ns == before


def _failing() -> dict[str, bytes]:
    raise ValueError("no rows")


@pytest.mark.parametrize(("folder", "compute", "message"), [
    ("out", _failing, "ValueError: no rows"),
    ("a-file", lambda: {"x.txt": b"x"}, "a-file is a file, not a folder"),
])
def test_child_error_comes_back(tmp_path: Path, folder: str,
                                compute: Callable[[], dict[str, bytes]], message: str) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")

    job = start_writing(tmp_path / folder, compute)

    with pytest.raises(BackgroundError, match=message):
        finish_writing(job)


def test_no_fork_beside_another_thread() -> None:
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert not can_fork()
    finally:
        release.set()
        other.join()


BUILD_TWICE = """\
import sys
import sphinx.cmd.build
import generators.sphinxext.project as project

arguments = ["-q", "-c", sys.argv[1], sys.argv[1] + "/docs", sys.argv[2]]
assert sphinx.cmd.build.main(arguments) == 0

def failing(*args):
    raise RuntimeError("the workbook is full")

project.table_exports = failing
print("second build:", sphinx.cmd.build.main(arguments))
"""


def test_failed_child_fails_the_build(copy_root: Callable[[str], Path], tmp_path: Path) -> None:
    project = copy_root("complete")

    result = subprocess.run([sys.executable, "-c", BUILD_TWICE, str(project),
                             str(tmp_path / "out")], capture_output=True, text=True,
                            check=False, timeout=300)

    assert "second build: 2" in result.stdout, result.stderr
    assert "the matrix files could not be written" in result.stderr
    assert "RuntimeError: the workbook is full" in result.stderr


class _App:
    """A stand-in for the Sphinx application, the key of a background job."""


@pytest.mark.parametrize("build_error", [None, RuntimeError("a page could not be read")])
def test_child_error_yields_to_build_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        build_error: BaseException | None) -> None:
    from sphinx.errors import ExtensionError

    from generators.sphinxext import project

    app = _App()
    monkeypatch.setattr(project, "get_state", lambda _app: types.SimpleNamespace(
        generated_dir=tmp_path))
    project._EXPORT_JOBS[app] = start_writing(tmp_path / "missing", _failing)

    if build_error is None:
        with pytest.raises(ExtensionError, match="ValueError: no rows"):
            project.finish_exports(app, build_error)  # type: ignore[arg-type]
    else:
        # the build's own error is the one Sphinx reports
        project.finish_exports(app, build_error)  # type: ignore[arg-type]
    assert app not in project._EXPORT_JOBS
