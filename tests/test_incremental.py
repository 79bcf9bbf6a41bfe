"""Incremental builds: after an edit, every page equals what a clean build shows."""

from __future__ import annotations

import html
import importlib.util
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from generators.sphinxext.incremental import RECORD_NAME
from tests.conftest import REPOSITORY, run_sphinx

# A project page with a need table and copies of needs, which sphinx-needs fills at write
# time from all needs and from the nodes it keeps of each need.
DYNAMIC_PAGE = """\
# Requirements table

```{needtable}
:types: req
:columns: id;title;coverage;satisfies_back as "Satisfied by"
:style: table
```

```{needextract}
:types: pol;proc
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
    # the need moves to a page that Sphinx reads before its old one
    "move need": ("    document: TST-PRC-01\n    section: intake\n",
                  "    document: TST-POL-01\n    section: duty\n"),
}


def _page_texts(outdir: Path, *, navigation: bool = False) -> dict[str, str]:
    """Return the text and link targets of every HTML page, without volatile parts.

    Without ``navigation``, only the main part of each page is kept.
    """
    texts = {}
    for path in sorted(outdir.rglob("*.html")):
        page = path.read_text(encoding="utf-8")
        if not navigation and 'role="main"' in page:
            page = page[page.find('role="main"'):page.find("<footer")]
        page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
        page = re.sub(r'(src|href)="[^"]*_(images|downloads)/[^"]*"', "", page)
        page = re.sub(r"SNCB-[0-9a-f]+", "SNCB-", page)
        # where each link points is part of what a page shows
        page = re.sub(r'<(a|link)\b[^>]*\bhref="([^"]*)"[^>]*>', r" [\1: \2] ", page)
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
        texts[path.relative_to(outdir).as_posix()] = text
    return texts


def _build(project: Path, outdir: Path) -> str:
    result = run_sphinx(project / "docs", outdir, "--keep-going",
                        "-d", str(outdir.parent / f"{outdir.name}.doctrees"), confdir=project)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _built(copy_root: Callable[[str], Path], tmp_path: Path) -> tuple[Path, Path]:
    """Copy the complete test project and build it; return it and the output folder."""
    project = copy_root("complete")
    incremental = tmp_path / "incremental"
    _build(project, incremental)
    return project, incremental


def _edit_file(project: Path, name: str, old: str, new: str) -> None:
    """Replace the first ``old`` in project file ``name`` by ``new``."""
    path = project / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _edit(project: Path, edit: str) -> None:
    _edit_file(project, "needs/artifacts.yaml", *EDITS[edit])


def _pages(log: str, step: str) -> set[str]:
    """Return the pages that Sphinx's log shows in ``step`` ("reading sources", ...).

    With ``CI`` or ``FORCE_COLOR`` set, Sphinx colours its log even into a pipe.
    Each progress line then ends in a carriage return, not a newline.
    """
    lines = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", log).replace("\r", "\n")
    return set(re.findall(rf"^{step}\.\.\. \[ *\d+%\] (\S+)$", lines, flags=re.M))


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
    # the copy of a need shows its content, kept from a page that was not read again
    assert "Receive the report." in after["table.html"]


@pytest.mark.parametrize("edit", ["change referenced title", "move need"])
def test_need_role_follows_target(copy_root: Callable[[str], Path], tmp_path: Path,
                                  edit: str) -> None:
    project = copy_root("complete")
    path = project / "needs/artifacts.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('    title: "Report suspected events"\n',
                                 '    title: "Report suspected events"\n'
                                 '    content: "Reports go to {need}`PROC_INTAKE`."\n', 1),
                    encoding="utf-8")
    incremental = tmp_path / "incremental"
    _build(project, incremental)

    if edit == "move need":
        _edit(project, edit)
    else:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('title: "Event intake"', 'title: "Intake of events"', 1),
                        encoding="utf-8")
    _build(project, incremental)

    after, expected = _page_texts(incremental), _page_texts(_clean_build(project, tmp_path))
    stale = [name for name in expected if after.get(name) != expected[name]]
    assert stale == []


def test_link_edit_writes_without_reading(copy_root: Callable[[str], Path],
                                           tmp_path: Path) -> None:
    project, incremental = _built(copy_root, tmp_path)

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


def test_downloads_follow_coverage_without_reading(copy_root: Callable[[str], Path],
                                                    tmp_path: Path) -> None:
    project, incremental = _built(copy_root, tmp_path)

    _edit(project, "add link")
    log = _build(project, incremental)

    # the page offering the matrix files shows only links, which the edit does not change
    assert "_generated/downloads" not in _pages(log, "reading sources")
    clean = _clean_build(project, tmp_path)
    for name in ("traceability-matrix.csv", "traceability-matrix.xlsx",
                 "statement-of-applicability.csv"):
        (offered,) = incremental.glob(f"_downloads/*/{name}")
        (expected,) = clean.glob(f"_downloads/*/{name}")
        assert offered.read_bytes() == expected.read_bytes(), name
    assert "REQ_TEST_LESSONS" in next(incremental.glob(
        "_downloads/*/traceability-matrix.csv")).read_text(encoding="utf-8")


NAVIGATION_EDITS = {
    "change page title": ("needs/artifacts.yaml", 'title: "Event report"',
                          'title: "Report of an event"'),
    "add page": ("needs/artifacts.yaml", '  - id: ROLE_POC\n',
                 '  - id: FORM_EXTRA\n    type: form\n    title: "Extra form"\n'
                 '    sections:\n      - title: Extra\n        fields:\n'
                 '          - {name: note, label: Note, type: text}\n  - id: ROLE_POC\n'),
    "change title markup": ("docs/index.md", "# Test project\n", "# *Test* project\n"),
    "add toctree caption": ("docs/index.md", "```{toctree}\n", "```{toctree}\n:caption: Pages\n"),
}


@pytest.mark.parametrize("edit", sorted(NAVIGATION_EDITS))
def test_navigation_follows_titles(copy_root: Callable[[str], Path], tmp_path: Path,
                                   edit: str) -> None:
    project, incremental = _built(copy_root, tmp_path)

    _edit_file(project, *NAVIGATION_EDITS[edit])
    log = _build(project, incremental)

    # the sidebar and the previous and next links of other pages show the change
    assert "index" in _pages(log, "writing output")
    after = _page_texts(incremental, navigation=True)
    expected = _page_texts(_clean_build(project, tmp_path), navigation=True)
    assert after.keys() == expected.keys()
    assert [name for name in expected if after[name] != expected[name]] == []


def test_navigation_after_interrupted_write(copy_root: Callable[[str], Path],
                                            tmp_path: Path) -> None:
    project, incremental = _built(copy_root, tmp_path)
    doctrees = incremental.parent / f"{incremental.name}.doctrees"
    shutil.copytree(incremental, tmp_path / "before")
    record = (doctrees / RECORD_NAME).read_bytes()

    # a build killed while writing: the environment is saved, few pages are written
    _edit_file(project, *NAVIGATION_EDITS["change page title"])
    _build(project, incremental)
    shutil.rmtree(incremental)
    shutil.copytree(tmp_path / "before", incremental)
    (doctrees / RECORD_NAME).write_bytes(record)

    log = _build(project, incremental)
    assert "index" in _pages(log, "writing output")
    after = _page_texts(incremental, navigation=True)
    expected = _page_texts(_clean_build(project, tmp_path), navigation=True)
    assert [name for name in expected if after.get(name) != expected[name]] == []


def test_unchanged_navigation_writes_few_pages(copy_root: Callable[[str], Path],
                                               tmp_path: Path) -> None:
    project, incremental = _built(copy_root, tmp_path)

    _edit(project, "change link")
    written = _pages(_build(project, incremental), "writing output")
    assert "_generated/roles" not in written
    assert "_generated/matrix" in written


EXTRA_FORM = """\
  - id: FORM_EXTRA
    type: form
    title: "Extra form"
    satisfies: [REQ_TEST_REPORTING]
    sections:
      - title: Extra
        fields:
          - {name: note, label: Note, type: text}
"""


def _with_extra_form(copy_root: Callable[[str], Path]) -> Path:
    """Copy the complete test project with one more form, which has a page of its own."""
    project = copy_root("complete")
    _edit_file(project, "needs/artifacts.yaml", "  - id: ROLE_POC\n",
               EXTRA_FORM + "  - id: ROLE_POC\n")
    return project


def test_removed_page_deleted_from_output(copy_root: Callable[[str], Path],
                                          tmp_path: Path) -> None:
    project = _with_extra_form(copy_root)
    incremental = tmp_path / "incremental"
    _build(project, incremental)
    page = incremental / "_generated/forms/form-extra.html"
    source = incremental / "_sources/_generated/forms/form-extra.md.txt"
    assert page.is_file()
    assert source.is_file()

    _edit_file(project, "needs/artifacts.yaml", EXTRA_FORM, "")
    _build(project, incremental)
    assert not page.exists()
    assert not source.exists()
    after, expected = _page_texts(incremental), _page_texts(_clean_build(project, tmp_path))
    assert after.keys() == expected.keys()
    assert [name for name in expected if after[name] != expected[name]] == []


def test_removed_page_folder_deleted_by_dirhtml(copy_root: Callable[[str], Path],
                                                tmp_path: Path) -> None:
    project = _with_extra_form(copy_root)
    out = tmp_path / "dirhtml"

    def build() -> None:
        result = run_sphinx(project / "docs", out, "-b", "dirhtml", "-d",
                            str(tmp_path / "doctrees"), confdir=project)
        assert result.returncode == 0, result.stderr

    build()
    folder = out / "_generated/forms/form-extra"
    assert (folder / "index.html").is_file()

    _edit_file(project, "needs/artifacts.yaml", EXTRA_FORM, "")
    build()
    assert not folder.exists()
    assert (out / "_generated/forms/index.html").is_file()


def test_lost_record_writes_all_pages(copy_root: Callable[[str], Path],
                                      tmp_path: Path) -> None:
    project, incremental = _built(copy_root, tmp_path)
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

    # the page is read again after any edit, so it shows the rows once the table grows
    _edit(project, "change title")
    result = run_sphinx(project / "docs", tmp_path / "out", confdir=project)
    assert result.returncode == 0, result.stderr
    assert "extra" in _pages(result.stdout, "reading sources")


def _synthetic_project(target: Path, size: int) -> Path:
    """Write the benchmark's synthetic project of ``size`` needs into ``target``."""
    spec = importlib.util.spec_from_file_location("generate",
                                                  REPOSITORY / "benchmarks/generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    generate.write_project(target, size)
    return target


def test_link_moved_across_pages(tmp_path: Path) -> None:
    project = _synthetic_project(tmp_path / "project", 800)
    incremental = tmp_path / "incremental"
    _build(project, incremental)
    for page in ("requirements/synthetic-standard-3", "forms/forms-002", "evidence-2",
                 "matrix-2"):
        assert (incremental / f"_generated/{page}.html").is_file(), page

    # move a link from a requirement on the first pages to one on the last pages
    first, last = (set(re.findall(r'id="(REQ_S_\d+)"', (
        incremental / f"_generated/requirements/{page}.html").read_text(encoding="utf-8")))
        for page in ("synthetic-standard", "synthetic-standard-3"))
    path = project / "needs/part03.yaml"
    data = json.loads(path.read_text(encoding="utf-8"))
    need = next(n for n in data["needs"]
                if n.get("satisfies") and n["satisfies"][0] in first
                and not last & set(n["satisfies"]))
    moved_from = need["satisfies"][0]
    need["satisfies"] = sorted({*need["satisfies"][1:], min(last)})
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    log = _build(project, incremental)

    written = _pages(log, "writing output")
    for page in ("requirements/synthetic-standard", "requirements/synthetic-standard-3",
                 "matrix", "matrix-2"):
        assert f"_generated/{page}" in written, page
    after, expected = _page_texts(incremental), _page_texts(_clean_build(project, tmp_path))
    stale = [name for name in expected if after.get(name) != expected[name]]
    assert stale == [], f"stale after moving {need['id']} from {moved_from}"


# Copies of the procedures of several pages, which sphinx-needs lists in the order in
# which it stores the needs.
EXTRACT_PAGE = """\
# Extracts

```{needextract}
:types: proc
```
"""


def test_copies_keep_clean_build_order(tmp_path: Path) -> None:
    project = _synthetic_project(tmp_path / "project", 300)
    (project / "docs/extract.md").write_text(EXTRACT_PAGE, encoding="utf-8")
    _edit_file(project, "docs/index.md", "```{toctree}\n", "```{toctree}\nextract\n")
    incremental = tmp_path / "incremental"
    _build(project, incremental)

    # the page of the first procedure is read again, and its needs with it
    path = project / "needs/part01.yaml"
    data = json.loads(path.read_text(encoding="utf-8"))
    procedure = next(n for n in data["needs"] if n["type"] == "proc")
    procedure["content"] = "Changed content."
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    _build(project, incremental)

    clean = _clean_build(project, tmp_path)
    order = [re.findall(r'<table class="need[^"]*" id="(PROC_S_\d+)"',
                        (folder / "extract.html").read_text(encoding="utf-8"))
             for folder in (incremental, clean)]
    assert len(order[1]) > 10
    assert order[0] == order[1]
