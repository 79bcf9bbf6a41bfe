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


# Setup steps that put a symbolic link into the project. Each names the link's path in
# the project and its target in the folder "outside", next to the project.
LINKS_OUT = {
    "link-docs-page-out": ("docs/outside.md", "page.md"),
    "link-form-template-out": ("templates/forms/form_tpl.docx", "form_tpl.docx"),
    "link-generated-folder-out": ("docs/_generated", "generated"),
    "link-need-file-out": ("needs/zz.yaml", "secret.yaml"),
    "link-needs-folder-out": ("shared-needs", "."),
    "link-needs-subfolder": ("needs/extra", "."),
    "link-pack-template-out": ("templates/evidence-pack/index.html.j2", "index.html.j2"),
    "link-site-template-out": ("templates/site/index.md.j2", "index.md.j2"),
    "link-site-templates-out": ("templates/site", "."),
    "link-word-template-out": ("templates/word/policy_tpl.docx", "policy_tpl.docx"),
}

SECRET_NEED = """\
needs:
  - id: EVID_OUTSIDE
    type: evid
    title: Outside the project
    group: improvement
"""


def _setup(step: str, project: Path) -> None:
    if step == "big-file":
        # a file over the size limit, made here rather than kept in the repository
        line = "# " + "x" * 98 + "\n"
        (project / "needs" / "big.yaml").write_text(line * 210_000, encoding="utf-8")
    elif step in LINKS_OUT:
        link, target = LINKS_OUT[step]
        _link_out(project / link, _outside_folder(project) / target)
    elif step:
        raise AssertionError(f"unknown setup step {step!r}")


def _outside_folder(project: Path) -> Path:
    """Make a folder next to the project, with a usable file of each kind a link names.

    The files work as need file, page and templates, so a run that followed a link
    would succeed instead of printing the expected error.
    """
    outside = project.parent / "outside"
    (outside / "generated").mkdir(parents=True)
    (outside / "secret.yaml").write_text(SECRET_NEED, encoding="utf-8")
    (outside / "page.md").write_text("# Outside the project\n", encoding="utf-8")
    (outside / "index.md.j2").write_text("# Outside the project\n", encoding="utf-8")
    (outside / "index.html.j2").write_text("<p>Outside the project</p>\n", encoding="utf-8")
    bundled = Path(__file__).parent.parent / "templates"
    shutil.copy(bundled / "forms" / "form_tpl.docx", outside)
    shutil.copy(bundled / "word" / "policy_tpl.docx", outside)
    return outside


def _link_out(link: Path, target: Path) -> None:
    """Link ``link`` to ``target`` with a relative path, so messages show no tmp folder."""
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(os.path.relpath(target, link.parent), target_is_directory=target.is_dir())


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
