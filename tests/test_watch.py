"""``iso27035 watch``: a build and a check after each change, in one process."""

from __future__ import annotations

import gc
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sphinx.application import Sphinx

import generators.check.run
import generators.sphinxext.project
from generators.loading.project import load_project
from generators.watching import _changes, run_once, snapshot
from tests.conftest import GAPS, REPOSITORY, run_cli

# sphinx-needs builds its inline parser with docutils' deprecated OptionParser, and the
# builds in this process read the ``app`` attribute that Sphinx 11 is to remove
pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")]

ROUND_TIMEOUT = 120
"""Seconds to wait for one build and check of the test project."""


class _Watcher:
    """``iso27035 watch`` in a child process, with its output read line by line."""

    def __init__(self, project: Path) -> None:
        environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generators", "watch", "--project", str(project),
             "--interval", "0.1"], cwd=REPOSITORY, env=environment, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def round(self) -> str:
        """Return the output up to the end of the next round, when it waits for changes."""
        output = []
        while True:
            line = self.lines.get(timeout=ROUND_TIMEOUT)
            output.append(line)
            if line.startswith("Watching "):
                return "".join(output)

    def stop(self) -> tuple[int, str]:
        """Interrupt the watcher as Ctrl+C does; return its exit code and last output."""
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=ROUND_TIMEOUT)
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        return code, "".join(rest)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT cannot be sent to a child there")
def test_watch_rebuilds_after_each_change(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    artifacts = project / "needs/artifacts.yaml"
    page = project / "_build/html/_generated/documents/tst-pol-01.html"
    watcher = _Watcher(project)
    try:
        first = watcher.round()
        assert "Site:" in first
        assert "Done in" in first
        assert "Report suspected events" in page.read_text(encoding="utf-8")

        # an edit: the site shows it, and the check runs again
        text = artifacts.read_text(encoding="utf-8")
        artifacts.write_text(text.replace('"Report suspected events"',
                                          '"Report every event at once"'), encoding="utf-8")
        second = watcher.round()
        assert "Changed: " in second
        assert "artifacts.yaml" in second
        assert "Report every event at once" in page.read_text(encoding="utf-8")
        assert "requirements" in second  # the coverage summary of the check

        # invalid input: reported at its line, the site stays as it was
        artifacts.write_text(text.replace("needs:\n", "needs:\n  - id: [\n", 1),
                             encoding="utf-8")
        broken = watcher.round()
        assert "artifacts.yaml:" in broken
        assert "invalid YAML" in broken
        assert "Traceback" not in broken
        assert "Report every event at once" in page.read_text(encoding="utf-8")

        # fixed again: built again
        artifacts.write_text(text, encoding="utf-8")
        fixed = watcher.round()
        assert "Site:" in fixed
        assert "Report suspected events" in page.read_text(encoding="utf-8")
    finally:
        code, last = watcher.stop()
    assert code == 0
    assert "Stopped." in last


def test_changes_wait_until_files_settle(tmp_path: Path) -> None:
    project, out = tmp_path / "project", tmp_path / "project/_build"
    (project / "needs").mkdir(parents=True)
    (project / ".git").mkdir()
    out.mkdir()
    need_file = project / "needs/a.yaml"
    need_file.write_text("needs: []\n")
    edits: list[Callable[[], object]] = [
        lambda: (out / "index.html").write_text("output"),  # not watched
        lambda: (project / ".git/index").write_text("hidden"),  # not watched
        lambda: need_file.write_text("needs: [1]\n"),
        lambda: (project / "needs/b.yaml").write_text("needs: []\n"),  # still settling
        lambda: None,
    ]

    def sleep(seconds: float) -> None:
        if edits:
            edits.pop(0)()

    changes = _changes(project, out, 0.1, sleep=sleep)
    assert next(changes) == []
    changed = next(changes)
    assert [Path(p).name for p in changed] == ["a.yaml", "b.yaml"]
    assert edits == []


def test_snapshot_leaves_out_generated_pages(tmp_path: Path) -> None:
    generated = tmp_path / "docs/_generated"
    generated.mkdir(parents=True)
    (generated / "matrix.md").write_text("# Matrix\n")
    (tmp_path / "docs/index.md").write_text("# Home\n")
    files = snapshot(tmp_path, {generated})
    assert [Path(p).name for p in files] == ["index.md"]


def test_rounds_keep_one_build_in_memory(copy_root: Callable[[str], Path],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    project = copy_root("complete")
    artifacts = project / "needs/artifacts.yaml"
    text = artifacts.read_text(encoding="utf-8")
    for round_number in range(4):
        # each round reads the edited page again, with its needs' contents
        artifacts.write_text(text.replace('"Event intake"', f'"Event intake {round_number}"'),
                             encoding="utf-8")
        code, _seconds = run_once(project, project / "_build", jobs="1", fail_on=("gap",))
        assert code == 0, capsys.readouterr()
    gc.collect()
    # Sphinx's log handlers keep the last build until the next one starts. So does a role
    # object of Sphinx that a page of the last build used. No earlier build may stay.
    assert len([o for o in gc.get_objects() if isinstance(o, Sphinx)]) <= 2


def test_round_checks_built_model(
        copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    project = copy_root("complete")
    requirements = project / "needs/requirements.yaml"
    text = requirements.read_text(encoding="utf-8")
    requirements.write_text(text.replace("exclusions:\n", GAPS + "exclusions:\n"),
                            encoding="utf-8")
    loads = []
    original = load_project
    for module in (generators.sphinxext.project, generators.check.run):
        monkeypatch.setattr(module, "load_project",
                            lambda folder: loads.append(folder) or original(folder))

    code, _seconds = run_once(project, project / "_build", jobs="1", fail_on=("gap",))

    report = capsys.readouterr().out
    assert code == 1
    assert "check failed: 2 gap (failing on: gap)" in report
    assert "REQ_TEST_RESPONSE" in report
    # the build loaded the project; the check did not load it again
    assert len(loads) == 1


def test_rounds_leave_no_garbage_behind(copy_root: Callable[[str], Path],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    project = copy_root("complete")
    artifacts = project / "needs/artifacts.yaml"
    text = artifacts.read_text(encoding="utf-8")
    tracked = []
    for round_number in range(6):
        artifacts.write_text(text.replace('"Event intake"', f'"Event intake {round_number}"'),
                             encoding="utf-8")
        code, _seconds = run_once(project, project / "_build", jobs="1", fail_on=("gap",))
        assert code == 0, capsys.readouterr()
        tracked.append(len(gc.get_objects()) + gc.get_freeze_count())
    # each round frees what the one before it left, so the count stops growing
    assert tracked[-1] < tracked[2] * 1.03, tracked


@pytest.mark.parametrize(("arguments", "message"), [
    (["-j", "abc"], "Invalid value for '-j': 'abc' is not a number or 'auto'"),
    ([], "no iso27035.yaml in"),
])
def test_watch_stops_at_once_on_bad_start(tmp_path: Path, arguments: list[str],
                                          message: str) -> None:
    result = run_cli("watch", "--project", str(tmp_path), *arguments)

    assert result.returncode == 2
    assert message in result.stderr
    assert not (tmp_path / "_build").exists()
