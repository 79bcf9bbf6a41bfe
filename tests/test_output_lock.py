"""Builds into one output folder run one at a time."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document

from generators.output import OutputError
from generators.output_lock import LOCK_NAME, output_lock
from tests.conftest import run_cli

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no lock without fcntl")

WAITING = "another build is writing to"


def _never_waits() -> None:
    raise AssertionError("the lock was free, so nothing should wait for it")


def test_lock_creates_and_removes_unused_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_lock(out, on_wait=_never_waits):
        assert (out / LOCK_NAME).is_file()

    assert not out.exists()


def test_lock_file_stays_with_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_lock(out, on_wait=_never_waits):
        (out / "html").mkdir()

    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME, "html"]


def test_lock_keeps_existing_empty_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with output_lock(out, on_wait=_never_waits):
        pass

    assert out.is_dir()
    assert list(out.iterdir()) == []


def test_lock_entered_again_by_holder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_lock(out, on_wait=_never_waits), output_lock(out, on_wait=_never_waits):
        (out / "html").mkdir()

    assert (out / "html").is_dir()


def test_lock_under_a_file_rejected(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a folder\n", encoding="utf-8")

    with pytest.raises(OutputError, match="notes.txt/out: .*notes.txt is a file, not a folder"), \
            output_lock(tmp_path / "notes.txt/out", on_wait=_never_waits):
        pass


# Takes the lock of the folder in argv[1], then writes a file into it. Prints "waiting"
# when it has to wait.
LOCKING_CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from generators.output_lock import output_lock

    out = Path(sys.argv[1])
    with output_lock(out, on_wait=lambda: print("waiting", flush=True)):
        (out / "written.txt").write_text("by the child", encoding="utf-8")
    print("done", flush=True)
""")


def _child_behind_lock(script: str, out: Path) -> subprocess.Popen[str]:
    """Start ``script`` on ``out`` while the caller holds the lock; return it once it waits."""
    child = subprocess.Popen([sys.executable, "-c", script, str(out)], stdout=subprocess.PIPE,
                             text=True)
    assert child.stdout is not None
    assert child.stdout.readline() == "waiting\n"
    return child


def test_waiting_process_takes_removed_lock_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_lock(out, on_wait=_never_waits):
        child = _child_behind_lock(LOCKING_CHILD, out)
        assert not (out / "written.txt").exists()
    # leaving the block removed the lock file and the folder this test created

    output, _ = child.communicate(timeout=60)
    assert child.returncode == 0
    assert output == "done\n"
    assert (out / "written.txt").read_text(encoding="utf-8") == "by the child"


def _build_behind_lock(project: Path, command: str = "build"
                       ) -> tuple[subprocess.Popen[str], str]:
    """Start ``iso27035 COMMAND`` while the caller holds the lock; return it and its message."""
    started = subprocess.Popen([sys.executable, "-m", "generators", command, "--project",
                                str(project)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert started.stderr is not None
    message = started.stderr.readline()
    assert WAITING in message
    return started, message


def test_second_build_waits_for_first(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    out = project / "_build"
    with output_lock(out, on_wait=_never_waits):
        build, message = _build_behind_lock(project)
        assert "_build; waiting for it to finish" in message
        assert not (out / "html").exists()

    output, errors = build.communicate(timeout=600)
    assert build.returncode == 0, output + errors
    assert (out / "html/index.html").is_file()


@pytest.mark.parametrize(("signal_number", "message"), [
    (signal.SIGINT, "iso27035: interrupted"),  # Ctrl+C
    (signal.SIGTERM, ""),  # a cancelled CI job
])
def test_stopped_wait_leaves_nothing(copy_root: Callable[[str], Path], signal_number: int,
                                     message: str) -> None:
    project = copy_root("complete")
    out = project / "_build"
    with output_lock(out, on_wait=_never_waits):
        build, _ = _build_behind_lock(project)
        build.send_signal(signal_number)
        _, errors = build.communicate(timeout=60)

    assert build.returncode == 128 + signal_number
    assert message in errors
    assert "Traceback" not in errors
    assert not out.exists()


def test_staging_folder_not_created(copy_root: Callable[[str], Path],
                                    monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    from generators import building

    project = copy_root("complete")

    def refuse(**options: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(building.tempfile, "mkdtemp", refuse)
    code = building.build_site_atomically(project, project / "_build", jobs="1",
                                          verbose=False, organization="Test Org")

    assert code == 2
    error = capsys.readouterr().err
    assert "cannot create a staging folder beside" in error
    assert "Permission denied" in error
    assert not (project / "_build").exists()


@pytest.mark.parametrize("command", ["docx", "forms", "evidence-pack"])
def test_other_writers_wait_for_lock(copy_root: Callable[[str], Path], command: str) -> None:
    project = copy_root("complete")
    out = project / "_build"
    with output_lock(out, on_wait=_never_waits):
        writer, _ = _build_behind_lock(project, command)
        assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]

    output, errors = writer.communicate(timeout=300)
    assert writer.returncode == 0, output + errors
    assert len(list(out.iterdir())) > 1


def test_killed_build_staging_removed(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    # what a build killed with SIGKILL leaves beside its output folder
    left = project / "._build-staging-k1ll3d00"
    (left / "html").mkdir(parents=True)
    (left / "html/index.html").write_text("<p>half a site</p>\n", encoding="utf-8")
    other = project / "._other-staging-k1ll3d00"
    other.mkdir()
    # the staging folder of an output folder named '_build-staging-x'
    similar = project / "._build-staging-x-staging-abcdefgh"
    similar.mkdir()

    result = run_cli("build", "--project", str(project))

    assert result.returncode == 0, result.stdout + result.stderr
    assert not left.exists()
    assert other.is_dir()  # the staging folder of another output folder
    assert similar.is_dir()
    assert WAITING not in result.stderr


def test_staging_of_glob_named_folder_removed_alone(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    builds = project.parent / "builds"
    left = builds / ".out[1]-staging-12345678"
    live = builds / ".out1-staging-12345678"  # a build into 'out1' is using it
    for folder in (left, live):
        folder.mkdir(parents=True)

    result = run_cli("build", "--project", str(project), "--out", str(builds / "out[1]"))

    assert result.returncode == 0, result.stdout + result.stderr
    assert not left.exists()
    assert live.is_dir()


def test_failed_builds_in_turn_leave_no_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_lock(out, on_wait=_never_waits):
        child = _child_behind_lock(FAILING_CHILD, out)

    output, _ = child.communicate(timeout=60)
    assert child.returncode == 0
    assert output == "failed\n"
    assert not out.exists()


# Takes the lock of the folder in argv[1] and writes nothing into it, as a build that
# fails on its input does.
FAILING_CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from generators.output_lock import output_lock

    with output_lock(Path(sys.argv[1]), on_wait=lambda: print("waiting", flush=True)):
        pass
    print("failed", flush=True)
""")


def test_waiting_build_reads_files_after_wait(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    out = project / "_build"
    artifacts = project / "needs/artifacts.yaml"
    with output_lock(out, on_wait=_never_waits):
        build, _ = _build_behind_lock(project)
        artifacts.write_text(artifacts.read_text(encoding="utf-8").replace(
            '"Event intake"', '"Event intake, edited while waiting"'), encoding="utf-8")

    output, errors = build.communicate(timeout=600)
    assert build.returncode == 0, output + errors
    page = (out / "html/_generated/documents/tst-prc-01.html").read_text(encoding="utf-8")
    assert "Event intake, edited while waiting" in page
    word = Document(str(out / "word/TST-PRC-01.docx"))
    text = "\n".join(paragraph.text for paragraph in word.paragraphs)
    text += "\n".join(cell.text for table in word.tables for row in table.rows
                      for cell in row.cells)
    assert "Event intake, edited while waiting" in text


@pytest.mark.parametrize("name", ["html", "matrix", "forms", "word"])
def test_file_in_place_of_output_folder_kept(copy_root: Callable[[str], Path],
                                             name: str) -> None:
    project = copy_root("complete")
    out = project / "_build"
    out.mkdir()
    (out / name).write_text("notes of the author\n", encoding="utf-8")

    for _ in range(2):
        result = run_cli("build", "--project", str(project))
        assert result.returncode == 2, result.stdout + result.stderr
        assert f"_build/{name} is a file, where iso27035 writes a folder" in result.stderr
        assert "Traceback" not in result.stderr

    assert sorted(p.name for p in out.iterdir() if p.name != LOCK_NAME) == [name]
    assert (out / name).read_text(encoding="utf-8") == "notes of the author\n"


@pytest.mark.parametrize(("blocker", "message"), [
    ("forms/schemas", "forms/schemas is a file, where iso27035 writes a folder"),
    ("word/TST-POL-01.docx", "word/TST-POL-01.docx is a folder where iso27035 writes"),
    ("matrix/traceability-matrix.csv",
     "matrix/traceability-matrix.csv is a folder, where iso27035 writes a matrix file"),
])
def test_blocked_step_keeps_previous_site(copy_root: Callable[[str], Path], blocker: str,
                                          message: str) -> None:
    project = copy_root("complete")
    out = project / "_build"
    assert run_cli("build", "--project", str(project)).returncode == 0
    path = out / blocker
    shutil.rmtree(path, ignore_errors=True)
    path.unlink(missing_ok=True)
    if blocker.startswith("forms"):
        path.write_text("notes of the author\n", encoding="utf-8")
    else:
        path.mkdir()
    page = out / "html/_generated/documents/tst-prc-01.html"
    before = page.read_bytes()
    artifacts = project / "needs/artifacts.yaml"
    artifacts.write_text(artifacts.read_text(encoding="utf-8").replace(
        '"Event intake"', '"Event intake, edited"'), encoding="utf-8")

    result = run_cli("build", "--project", str(project))

    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert page.read_bytes() == before
    assert path.exists()


@pytest.mark.parametrize("kind", ["folder", "link"])
def test_lock_file_replaced_rejected(tmp_path: Path, kind: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = tmp_path / "elsewhere.lock"
    if kind == "folder":
        (out / LOCK_NAME).mkdir()
    else:
        (out / LOCK_NAME).symlink_to(target)

    with pytest.raises(OutputError, match=f"is a {'symbolic link' if kind == 'link' else kind}, "
                       "where iso27035 keeps the lock file"), \
            output_lock(out, on_wait=_never_waits):
        pass

    assert not target.exists()


@pytest.mark.parametrize(("command", "blocker", "message"), [
    ("forms", "forms/schemas", "forms/schemas is a file, where iso27035 writes a folder"),
    ("evidence-pack", "evidence-pack.zip",
     "evidence-pack.zip is a folder, where iso27035 writes the pack's zip file"),
])
def test_blocked_output_writes_nothing(copy_root: Callable[[str], Path], command: str,
                                       blocker: str, message: str) -> None:
    project = copy_root("complete")
    out = project / "_build"
    path = out / blocker
    path.parent.mkdir(parents=True)
    if blocker.endswith(".zip"):
        path.mkdir()
    else:
        path.write_text("notes of the author\n", encoding="utf-8")
    before = sorted(p.relative_to(out) for p in out.rglob("*"))

    result = run_cli(command, "--project", str(project))

    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    after = sorted(p.relative_to(out) for p in out.rglob("*"))
    assert [path for path in after if path.name != LOCK_NAME] == before


def test_evidence_pack_folder_mode(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")

    result = run_cli("evidence-pack", "--project", str(project))

    assert result.returncode == 0, result.stdout + result.stderr
    mode = (project / "_build/evidence-pack").stat().st_mode & 0o777
    assert mode == 0o777 & ~_current_umask()


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("arguments", [
    ["build", "--out", "iso27035.yaml/out"],
    ["docx", "--out", "iso27035.yaml/out"],
    ["forms", "--out", "iso27035.yaml/out"],
    ["evidence-pack", "--out", "iso27035.yaml/out"],
    ["check", "--output", "iso27035.yaml/report.txt"],
    ["check", "--write-baseline", "iso27035.yaml/baseline.json"],
])
def test_output_under_a_file_rejected(copy_root: Callable[[str], Path],
                                      arguments: list[str]) -> None:
    project = copy_root("complete")
    settings = (project / "iso27035.yaml").read_bytes()

    result = run_cli(*arguments, "--project", str(project), cwd=project)

    assert result.returncode == 2, result.stdout + result.stderr
    assert "iso27035.yaml is a file, not a folder; choose another output path" in result.stderr
    assert "Traceback" not in result.stderr
    assert (project / "iso27035.yaml").read_bytes() == settings


def test_watch_round_under_a_file_rejected(copy_root: Callable[[str], Path]) -> None:
    from generators.watching import run_once

    project = copy_root("complete")
    code, _ = run_once(project, project / "iso27035.yaml/out", jobs="1", fail_on=())

    assert code == 2
