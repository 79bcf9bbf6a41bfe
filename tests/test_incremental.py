"""Incremental builds: after an edit, every page equals what a clean build shows."""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from generators.sphinxext.incremental import RECORD_NAME
from tests.conftest import run_sphinx

# A project page with a need table, which sphinx-needs fills at write time from all needs.
DYNAMIC_PAGE = """\
# Requirements table

```{needtable}
:types: req
:columns: id;title;coverage;satisfies_back as "Satisfied by"
:style: table
```

See also {need}`REQ_TEST_POLICY`.
"""

EDITS = {
    "add link": ("    satisfies: [REQ_TEST_POLICY]\n",
                 "    satisfies: [REQ_TEST_POLICY, REQ_TEST_LESSONS]\n"),
    "remove link": ("    satisfies: [REQ_TEST_REPORTING, REQ_TEST_LESSONS]\n",
                    "    satisfies: [REQ_TEST_REPORTING]\n"),
    "change link": ("    satisfies: [REQ_TEST_POLICY]\n", "    satisfies: [REQ_TEST_LESSONS]\n"),
    "change title": ('title: "Report suspected events"', 'title: "Report every suspected event"'),
    "add evidence": ("    evidences: [REQ_TEST_POLICY]\n",
                     "    evidences: [REQ_TEST_POLICY, REQ_TEST_LESSONS]\n"),
    "change scale": ("{value: high, label: High}", "{value: high, label: Critical}"),
}


def _page_texts(outdir: Path) -> dict[str, str]:
    """Return the main text of every HTML page, without volatile parts."""
    texts = {}
    for path in sorted(outdir.rglob("*.html")):
        page = path.read_text(encoding="utf-8")
        body = page[page.find('role="main"'):page.find('<footer')] if 'role="main"' in page \
            else page
        body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
        body = re.sub(r'(src|href)="[^"]*_(images|downloads)/[^"]*"', "", body)
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
        texts[path.relative_to(outdir).as_posix()] = text
    return texts


def _build(project: Path, outdir: Path) -> str:
    result = run_sphinx(project / "docs", outdir, "--keep-going",
                        "-d", str(outdir.parent / f"{outdir.name}.doctrees"), confdir=project)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _edit(project: Path, edit: str) -> None:
    path = project / "needs/artifacts.yaml"
    old, new = EDITS[edit]
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _pages(log: str, step: str) -> set[str]:
    """Return the pages that Sphinx's log shows in ``step`` ("reading sources", ...)."""
    return set(re.findall(rf"^{step}\.\.\. \[ *\d+%\] (\S+)$", log, flags=re.M))


def _clean_build(project: Path, tmp_path: Path) -> Path:
    clean_project = tmp_path / "clean-project"
    shutil.copytree(project, clean_project, ignore=shutil.ignore_patterns("_generated"))
    clean = tmp_path / "clean"
    _build(clean_project, clean)
    return clean


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_incremental_equals_clean(copy_root: Callable[[str], Path], tmp_path: Path,
                                  edit: str) -> None:
    project = copy_root("complete")
    (project / "docs/table.md").write_text(DYNAMIC_PAGE, encoding="utf-8")
    index = project / "docs/index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("```{toctree}\n",
                                                                "```{toctree}\ntable\n"))
    incremental = tmp_path / "incremental"
    _build(project, incremental)
    before = _page_texts(incremental)

    _edit(project, edit)
    _build(project, incremental)

    after, expected = _page_texts(incremental), _page_texts(_clean_build(project, tmp_path))
    assert after.keys() == expected.keys()
    stale = [name for name in expected if after[name] != expected[name]]
    assert stale == []
    assert after != before, "the edit changed nothing visible"


def test_new_link_writes_pages_without_reading_them(copy_root: Callable[[str], Path],
                                                     tmp_path: Path) -> None:
    project = copy_root("complete")
    incremental = tmp_path / "incremental"
    _build(project, incremental)

    _edit(project, "add link")
    log = _build(project, incremental)

    read, written = _pages(log, "reading sources"), _pages(log, "writing output")
    # the page that defines the artifact whose link changed
    assert "_generated/documents/tst-pol-01" in read
    # the back-link on the requirement and the matrix row are filled in at write time
    for page in ("_generated/requirements/test-standard", "_generated/matrix"):
        assert page in written
        assert page not in read
    assert _page_texts(incremental) == _page_texts(_clean_build(project, tmp_path))


def test_lost_write_record_writes_every_generated_page(copy_root: Callable[[str], Path],
                                                        tmp_path: Path) -> None:
    project = copy_root("complete")
    incremental = tmp_path / "incremental"
    _build(project, incremental)
    record = tmp_path / "incremental.doctrees" / RECORD_NAME
    assert record.is_file()

    record.write_text("not json", encoding="utf-8")
    log = _build(project, incremental)

    written = _pages(log, "writing output")
    generated = {p.relative_to(project / "docs").with_suffix("").as_posix()
                 for p in (project / "docs/_generated").rglob("*.md")}
    assert generated <= written
    assert _pages(log, "reading sources") == set()
    assert json.loads(record.read_text(encoding="utf-8"))


def test_table_page_out_of_range_is_reported(copy_root: Callable[[str], Path],
                                             tmp_path: Path) -> None:
    project = copy_root("complete")
    (project / "docs/extra.md").write_text(
        "# Extra\n\n```{iso27035-table} matrix 3\n```\n", encoding="utf-8")
    result = run_sphinx(project / "docs", tmp_path / "out", confdir=project)
    assert result.returncode == 0, result.stderr
    assert re.search(r"extra\.md:3: WARNING: iso27035-table: table 'matrix' has pages 1 to 1, "
                     r"not 3", result.stderr), result.stderr


def test_parallel_build_equals_serial(copy_root: Callable[[str], Path], tmp_path: Path) -> None:
    project = copy_root("complete")
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    _build(project, serial)
    result = run_sphinx(project / "docs", parallel, "-j", "2", "-E",
                        "-d", str(tmp_path / "parallel.doctrees"), confdir=project)
    assert result.returncode == 0, result.stderr
    assert _page_texts(parallel) == _page_texts(serial)
