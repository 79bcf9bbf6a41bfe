"""Incremental builds: after an edit, every page equals what a clean build shows."""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

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


def _build(project: Path, outdir: Path) -> None:
    result = run_sphinx(project / "docs", outdir, "--keep-going",
                        "-d", str(outdir.parent / f"{outdir.name}.doctrees"), confdir=project)
    assert result.returncode == 0, result.stderr


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

    path = project / "needs/artifacts.yaml"
    old, new = EDITS[edit]
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    _build(project, incremental)

    clean_project = tmp_path / "clean-project"
    shutil.copytree(project, clean_project, ignore=shutil.ignore_patterns("_generated"))
    clean = tmp_path / "clean"
    _build(clean_project, clean)

    after, expected = _page_texts(incremental), _page_texts(clean)
    assert after.keys() == expected.keys()
    stale = [name for name in expected if after[name] != expected[name]]
    assert stale == []
    assert after != before, "the edit changed nothing visible"


def test_parallel_build_equals_serial(copy_root: Callable[[str], Path], tmp_path: Path) -> None:
    project = copy_root("complete")
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    _build(project, serial)
    result = run_sphinx(project / "docs", parallel, "-j", "2", "-E",
                        "-d", str(tmp_path / "parallel.doctrees"), confdir=project)
    assert result.returncode == 0, result.stderr
    assert _page_texts(parallel) == _page_texts(serial)
