"""The bad-input corpus: each case ends in its expected message and exit code 2.

Each folder under ``tests/corpus/`` is a project with one problem. Its ``expected.txt``
holds a header (the command, the exit code, an optional setup step), a ``---`` line,
and the exact error output, with the project folder written as ``<project>``. A run
must print exactly that, print no traceback, and write nothing into the project.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())


def _expected(case: str) -> tuple[dict[str, str], list[str]]:
    header, _, body = (CORPUS / case / "expected.txt").read_text(encoding="utf-8").partition(
        "---\n")
    fields = dict(line.split(": ", 1) for line in header.splitlines() if line.strip())
    return fields, body.splitlines()


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def _setup(step: str, project: Path) -> None:
    if step == "big-file":
        # a file over the size limit, made here rather than kept in the repository
        line = "# " + "x" * 98 + "\n"
        (project / "needs" / "big.yaml").write_text(line * 210_000, encoding="utf-8")
    elif step:
        raise AssertionError(f"unknown setup step {step!r}")


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES)
def test_bad_input(case: str, tmp_path: Path) -> None:
    fields, expected = _expected(case)
    project = tmp_path / case
    shutil.copytree(CORPUS / case, project, ignore=shutil.ignore_patterns("expected.txt"))
    _setup(fields.get("setup", ""), project)
    before = _files(project)

    result = run_cli(*fields["command"].split(), cwd=project)

    assert result.returncode == int(fields["exit"]), result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    output = result.stderr.replace(os.fspath(project.resolve()), "<project>")
    assert output.splitlines() == expected
    assert _files(project) - before <= {"docs"}, "the run wrote into the project"
