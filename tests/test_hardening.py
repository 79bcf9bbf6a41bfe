"""User text is data, and files stay in the project: hostile text and symbolic links.

One project carries hostile text in titles, contents, steps, form labels, scale levels
and exclusion justifications. After a real build, every output must show the text as
written: no template expression evaluated, no HTML element or formula created.

Symbolic links that lead out of a project are followed only when the project allows
outside paths, and the build never writes through one.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import openpyxl
import pytest

from generators.paths import UnsafePathError, paths_leading_outside, resolve_project_file
from tests.conftest import REPOSITORY, run_cli

# "{{ 6*7+1000 }}" would print 1042 if any template evaluated it
TEMPLATE = "{{ 6*7+1000 }} {% if true %}yes{% endif %} {# note #} [[copy('id')]]"
MARKUP = "<script>alert(1)</script> <img src=x onerror=alert(2)> & ]]> 'quoted' \"double\""
UNICODE = "سياسة الاستجابة 事件响应 🔥🛡️"
HOSTILE = f"{TEMPLATE} {MARKUP} {UNICODE}"
YAML_TEXT = json.dumps(HOSTILE, ensure_ascii=False)  # a double-quoted YAML string
FORMULA = '=HYPERLINK("http://example.org/","it\'s")'



def _hostile_project(copy_root: Callable[[str], Path]) -> Path:
    project = copy_root("complete")
    settings = project / "iso27035.yaml"
    settings.write_text(settings.read_text().replace(
        "organization: Example & Co <Test>", f"organization: {YAML_TEXT}"), encoding="utf-8")
    requirements = project / "needs/requirements.yaml"
    requirements.write_text(requirements.read_text()
                            .replace('title: "Learn from incidents"', "title: '=SUM(A1:A9)'")
                            .replace('justification: "There is one point of contact."',
                                     f"justification: {YAML_TEXT}"), encoding="utf-8")
    artifacts = project / "needs/artifacts.yaml"
    text = artifacts.read_text(encoding="utf-8")
    text = text.replace('title: "Incident policy"', f"title: {YAML_TEXT}")
    text = text.replace("owner: Head of Security", f"owner: {json.dumps(FORMULA)}", 1)
    text = text.replace("title: Reporting duty", f"title: {YAML_TEXT}")
    text = text.replace("text: Everyone reports.", f"text: {YAML_TEXT}")
    text = text.replace('title: "Report suspected events"', f"title: {YAML_TEXT}")
    text = text.replace("    satisfies: [REQ_TEST_POLICY]\n",
                        f"    satisfies: [REQ_TEST_POLICY]\n    content: {YAML_TEXT}\n")
    text = text.replace("      - Check it is complete.", f"      - {YAML_TEXT}")
    text = text.replace('title: "Event intake"', "title: '+1+2 @cmd -3'")
    text = text.replace("label: What happened", f"label: {YAML_TEXT}")
    text = text.replace("{value: high, label: High}", f"{{value: high, label: {YAML_TEXT}}}")
    text = text.replace("      - Receives reports.", f"      - {YAML_TEXT}")
    text = text.replace('title: "Policy approval minutes"', f"title: {YAML_TEXT}")
    artifacts.write_text(text, encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import ROOTS
    import shutil

    base = tmp_path_factory.mktemp("hostile")

    def copy(name: str) -> Path:
        target = base / name
        shutil.copytree(ROOTS / f"test-{name}", target)
        return target

    project = _hostile_project(copy)
    check = run_cli("check", "--project", str(project))
    assert check.returncode == 0, check.stdout + check.stderr
    result = run_cli("build", "--project", str(project))
    assert result.returncode == 0, result.stdout + result.stderr
    return project


def _all_output_text(project: Path) -> str:
    parts = []
    for path in (project / "_build").rglob("*"):
        if path.suffix in (".html", ".csv", ".json", ".yaml"):
            parts.append(path.read_text(encoding="utf-8"))
        elif path.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(path) as archive:
                parts += [archive.read(n).decode("utf-8") for n in archive.namelist()
                          if n.endswith(".xml")]
    return "\n".join(parts)


def test_no_template_expression_evaluated(built: Path) -> None:
    everything = _all_output_text(built)
    assert "1042" not in everything
    assert "6*7+1000" in everything


def test_site_shows_markup_as_text(built: Path) -> None:
    pages = list((built / "_build/html").rglob("*.html"))
    assert pages
    for page in pages:
        page_html = page.read_text(encoding="utf-8")
        assert "<script>alert(1)</script>" not in page_html, page
        assert "<img src=x onerror" not in page_html, page
        assert "<img src=\"x\"" not in page_html, page
    policy = (built / "_build/html/_generated/documents/tst-pol-01.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in policy
    assert "{{ 6*7+1000 }}" in policy
    assert "]]&gt;" in policy
    assert UNICODE in policy
    assert "'quoted' \"double\"" in html.unescape(policy)
    assert FORMULA in html.unescape(policy)


def test_site_title_shows_organization_as_text(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    (project / "conf.py").unlink()
    settings = project / "iso27035.yaml"
    settings.write_text(settings.read_text().replace(
        "organization: Example & Co <Test>", f"organization: {json.dumps(MARKUP)}"),
        encoding="utf-8")
    result = run_cli("build", "--project", str(project))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "html_title" not in result.stderr
    for page in (project / "_build/html").rglob("*.html"):
        page_html = page.read_text(encoding="utf-8")
        assert "<script>alert(1)</script>" not in page_html, page
        assert "<img src=x onerror" not in page_html, page
    home = (project / "_build/html/index.html").read_text(encoding="utf-8")
    assert '<div class="brand">&lt;script&gt;alert(1)&lt;/script&gt;' in home
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;" in home
    assert "&amp;lt;script" not in home


def test_word_shows_text_as_written(built: Path) -> None:
    files = sorted((built / "_build/word").glob("*.docx"))
    assert files
    policy = next(f for f in files if "TST-POL-01" in f.name or "pol" in f.name.lower())
    text = "\n".join(p.text for p in docx.Document(str(policy)).paragraphs)
    assert HOSTILE in text
    assert text.count(UNICODE) >= 2


def test_forms_show_text_as_written(built: Path) -> None:
    form = docx.Document(str(built / "_build/forms/FORM_EVENT.docx"))
    cells = "\n".join(c.text for t in form.tables for r in t.rows for c in r.cells)
    body = "\n".join(p.text for p in form.paragraphs) + cells
    assert HOSTILE in body
    schema = json.loads((built / "_build/forms/schemas/FORM_EVENT.schema.json").read_text())
    assert HOSTILE in _strings(schema)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def test_csv_neutralizes_formulas(built: Path) -> None:
    with (built / "_build/matrix/traceability-matrix.csv").open(encoding="utf-8") as stream:
        rows = {row["id"]: row for row in csv.DictReader(stream)}
    assert rows["REQ_TEST_LESSONS"]["title"] == "'=SUM(A1:A9)"
    with (built / "_build/matrix/statement-of-applicability.csv").open(encoding="utf-8") as f:
        applicability = {row["Id"]: row for row in csv.DictReader(f)}
    assert UNICODE in applicability["REQ_TEST_MULTI_POC"]["Justification"]
    assert "<script>" in applicability["REQ_TEST_MULTI_POC"]["Justification"]


def test_workbook_stores_text_not_formulas(built: Path) -> None:
    path = built / "_build/matrix/traceability-matrix.xlsx"
    workbook = openpyxl.load_workbook(path)
    titles = {row[0].value: row[1] for row in workbook["Procedures"].iter_rows(min_row=2)}
    assert titles["PROC_INTAKE"].value == "+1+2 @cmd -3"
    assert titles["PROC_INTAKE"].data_type == "s"
    requirements = {row[0].value: row[1] for row in workbook["Requirements"].iter_rows(min_row=2)}
    assert requirements["REQ_TEST_LESSONS"].value == "=SUM(A1:A9)"
    policies = {row[0].value: row[1].value for row in workbook["Policy statements"].iter_rows(
        min_row=2)}
    assert policies["POL_REPORT"] == HOSTILE
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[ >]", archive.read(name)), name


def test_two_builds_give_identical_files(built: Path, tmp_path: Path) -> None:
    second = run_cli("build", "--project", str(built), "--out", str(tmp_path / "again"))
    assert second.returncode == 0, second.stderr
    compared = set()
    for path in (built / "_build").rglob("*"):
        if path.suffix in (".docx", ".xlsx", ".csv", ".json", ".yaml") \
                and "html" not in path.parts:
            twin = tmp_path / "again" / path.relative_to(built / "_build")
            assert twin.read_bytes() == path.read_bytes(), path
            compared.add(path.relative_to(built / "_build").as_posix())
    assert {"matrix/traceability-matrix.csv", "matrix/traceability-matrix.json",
            "matrix/traceability-matrix.xlsx", "matrix/statement-of-applicability.csv",
            "forms/FORM_EVENT.docx", "forms/schemas/FORM_EVENT.schema.json",
            "forms/reports/FORM_EVENT.yaml"} <= compared
    assert len([name for name in compared if name.startswith("word/")]) >= 3


def test_source_date_epoch_is_stamped(copy_root: Callable[[str], Path], tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    project = copy_root("complete")
    environment = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01T00:00:00Z
    result = subprocess.run([sys.executable, "-m", "generators", "build", "--project",
                             str(project)], env=environment, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    for path in [*(project / "_build/word").glob("*.docx"),
                 project / "_build/matrix/traceability-matrix.xlsx"]:
        with zipfile.ZipFile(path) as archive:
            assert {info.date_time for info in archive.infolist()} == {(2026, 1, 1, 0, 0, 0)}
            core = archive.read("docProps/core.xml").decode()
            assert "2026-01-01T00:00:00Z" in core, path
    bad = subprocess.run([sys.executable, "-m", "generators", "build", "--project",
                          str(project)], env={**os.environ, "SOURCE_DATE_EPOCH": "soon"},
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2
    assert "SOURCE_DATE_EPOCH" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_unicode_reaches_every_output(built: Path) -> None:
    site = (built / "_build/html/_generated/evidence.html").read_text(encoding="utf-8")
    assert UNICODE in site
    workbook = openpyxl.load_workbook(built / "_build/matrix/traceability-matrix.xlsx")
    evidence = {row[0].value: row[1].value for row in workbook["Evidence items"].iter_rows(
        min_row=2)}
    assert UNICODE in evidence["EVID_POLICY_APPROVAL"]
    word = "\n".join(p.text for f in (built / "_build/word").glob("*.docx")
                     for p in docx.Document(str(f)).paragraphs)
    assert UNICODE in word
    pack = run_cli("evidence-pack", "--project", str(built))
    assert pack.returncode == 0, pack.stderr
    index = (built / "_build/evidence-pack/index.html").read_text(encoding="utf-8")
    assert UNICODE in index
    assert "&lt;script&gt;" in index
    assert "<script>alert" not in index


def test_linked_template_used_only_when_allowed(copy_root: Callable[[str], Path],
                                                tmp_path: Path) -> None:
    project = copy_root("complete")
    outside = tmp_path / "outside"
    outside.mkdir()
    bundled = (REPOSITORY / "templates/site/coverage.md.j2").read_text(encoding="utf-8")
    (outside / "coverage.md.j2").write_text(bundled + "\nOutside marker text.\n",
                                            encoding="utf-8")
    link = project / "templates/site/coverage.md.j2"
    link.parent.mkdir(parents=True)
    link.symlink_to(outside / "coverage.md.j2")

    rejected = run_cli("build", "--project", str(project))
    assert rejected.returncode == 2, rejected.stdout + rejected.stderr
    assert f"{link}: error: this path is a symbolic link to a file outside" in rejected.stderr
    assert "[iso27035.unsafe-path]" in rejected.stderr
    assert "Traceback" not in rejected.stderr
    assert not (project / "_build").exists()

    settings = project / "iso27035.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "allow_outside_paths: true\n",
                        encoding="utf-8")
    allowed = run_cli("build", "--project", str(project))
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    page = (project / "_build/html/_generated/coverage.html").read_text(encoding="utf-8")
    assert "Outside marker text." in page


def test_build_never_writes_through_generated_link(copy_root: Callable[[str], Path],
                                                   tmp_path: Path) -> None:
    project = copy_root("complete")
    settings = project / "iso27035.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "allow_outside_paths: true\n",
                        encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / "docs").mkdir(exist_ok=True)
    (project / "docs/_generated").symlink_to(elsewhere, target_is_directory=True)

    result = run_cli("build", "--project", str(project))

    assert result.returncode == 2, result.stdout + result.stderr
    assert "docs/_generated is a symbolic link to" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(elsewhere.iterdir()) == []
    assert not (project / "_build/html").exists()


def test_walk_follows_links_that_stay_inside(tmp_path: Path) -> None:
    project = tmp_path / "project"
    site = project / "templates/site"
    shared = project / "shared"
    outside = tmp_path / "outside"
    for folder in (site, shared, outside):
        folder.mkdir(parents=True)
    (outside / "secret.j2").write_text("secret\n", encoding="utf-8")
    (shared / "own.j2").write_text("own\n", encoding="utf-8")
    (shared / "secret.j2").symlink_to(outside / "secret.j2")
    (site / "partials").symlink_to(shared, target_is_directory=True)
    (site / "loop").symlink_to(site, target_is_directory=True)
    (site / "self.j2").symlink_to(site / "self.j2")
    (site / "own.j2").symlink_to(shared / "own.j2")

    found = paths_leading_outside(project, project / "templates")

    assert found == [site / "partials/secret.j2"]


def test_walk_reports_linked_root_alone(tmp_path: Path) -> None:
    project = tmp_path / "project"
    outside = tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (outside / "index.md.j2").write_text("text\n", encoding="utf-8")
    (project / "templates").symlink_to(outside, target_is_directory=True)

    assert paths_leading_outside(project, project / "templates") == [project / "templates"]
    assert paths_leading_outside(project, project / "docs") == []


def test_attachment_link_loop_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    with pytest.raises(UnsafePathError, match="'loop.txt' is not a file of the project"):
        resolve_project_file(tmp_path, "loop.txt", allow_outside=False)
    with pytest.raises(UnsafePathError, match="'loop.txt' is not a file of the project"):
        resolve_project_file(tmp_path, "loop.txt", allow_outside=True)
