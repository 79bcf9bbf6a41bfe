"""Real Sphinx builds of small projects: pages, back-links, matrix files and the gate."""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generators.coverage import compute_coverage
from generators.loading.project import load_project
from generators.site.pages import SiteOptions, render_pages
from generators.site.paging import ROWS_PER_PAGE
from generators.site.tables import part_count, table_part
from tests.conftest import run_cli, run_sphinx
from tests.test_incremental import _page_texts, _synthetic_project


def _text(path: Path) -> str:
    """Return the visible text of an HTML page, whitespace collapsed."""
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _remove_link(project: Path, line: str) -> None:
    path = project / "needs" / "artifacts.yaml"
    text = path.read_text(encoding="utf-8")
    assert line in text
    path.write_text(text.replace(line, ""), encoding="utf-8")


@pytest.fixture
def built(copy_root: Callable[[str], Path]) -> Path:
    """Build the complete test project with sphinx-build -W; return the project."""
    project = copy_root("complete")
    result = run_sphinx(project / "docs", project / "_build" / "html", "-W", "--keep-going",
                        confdir=project)
    assert result.returncode == 0, result.stderr
    return project


def test_requirement_shows_what_satisfies_it(built: Path) -> None:
    text = _text(built / "_build/html/_generated/requirements/test-standard.html")
    assert "satisfied by: POL_REPORT" in text
    assert "evidenced by: EVID_POLICY_APPROVAL" in text
    assert "coverage: partial" in text


def test_requirement_lists_evidence_through_artifacts(copy_root: Callable[[str], Path]
                                                     ) -> None:
    project = copy_root("complete")
    artifacts = project / "needs" / "artifacts.yaml"
    text = artifacts.read_text(encoding="utf-8")
    artifacts.write_text(text.replace("    evidences: [REQ_TEST_POLICY]\n",
                                      "    evidences: [REQ_TEST_POLICY, PROC_INTAKE]\n"),
                         encoding="utf-8")
    result = run_sphinx(project / "docs", project / "_build" / "html", "-W", "--keep-going",
                        confdir=project)
    assert result.returncode == 0, result.stderr
    page = _text(project / "_build/html/_generated/requirements/test-standard.html")
    reporting = page[page.index("Requirement : Report events quickly"):]
    reporting = reporting[:reporting.index("Requirement :", 1)]
    assert "evidence_items: EVID_POLICY_APPROVAL" in reporting
    assert "satisfied by: FORM_EVENT , PROC_INTAKE" in reporting
    assert "evidenced by:" not in reporting


def test_artifact_shows_its_links(built: Path) -> None:
    text = _text(built / "_build/html/_generated/documents/tst-prc-01.html")
    assert "uses: FORM_EVENT" in text
    assert "performed by: ROLE_POC" in text
    assert "DRAFT" in text


def test_need_reference_shows_whole_title(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    artifacts = project / "needs" / "artifacts.yaml"
    long_title = "Report every suspected event to the point of contact without delay"
    text = artifacts.read_text(encoding="utf-8")
    text = text.replace('title: "Report suspected events"', f'title: "{long_title}"')
    text = text.replace("text: Everyone reports.", "text: Everyone reports ({need}`POL_REPORT`).")
    artifacts.write_text(text, encoding="utf-8")
    result = run_sphinx(project / "docs", project / "_build" / "html", "-W", "--keep-going",
                        confdir=project)
    assert result.returncode == 0, result.stderr
    page = _text(project / "_build/html/_generated/documents/tst-pol-01.html")
    assert re.search(rf"Everyone reports \( ?{long_title} \(POL_REPORT\) ?\)", page), page


def test_inferred_clause_is_marked(built: Path) -> None:
    text = _text(built / "_build/html/_generated/requirements/test-standard.html")
    assert "Clause number inferred; verify it against a licensed copy." in text
    assert "Clause number inferred: Clause number inferred" not in text


def test_matrix_csv_json_and_page_agree(built: Path) -> None:
    downloads = built / "docs/_generated/downloads"
    data = json.loads((downloads / "traceability-matrix.json").read_text(encoding="utf-8"))
    from_json = {row["id"]: row["status"] for row in data["requirements"]}
    with (downloads / "traceability-matrix.csv").open(encoding="utf-8") as stream:
        from_csv = {row["id"]: row["status"] for row in csv.DictReader(stream)}
    page = (built / "_build/html/_generated/matrix.html").read_text(encoding="utf-8")
    from_page = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S)[1:]:
        cells = [_text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        from_page[cells[0]] = cells[-1]
    assert from_json == {"REQ_TEST_POLICY": "covered", "REQ_TEST_REPORTING": "covered",
                         "REQ_TEST_LESSONS": "partial", "REQ_TEST_MULTI_POC": "excluded"}
    assert from_csv == from_json
    assert from_page == from_json
    assert data["totals"] == {"covered": 2, "partial": 1, "gap": 0, "excluded": 1, "total": 4,
                              "applicable": 3, "percent_covered": 66.7}


def test_matrix_links_land_on_needs(built: Path) -> None:
    html_dir = built / "_build/html/_generated"
    page = (html_dir / "matrix.html").read_text(encoding="utf-8")
    links = re.findall(r'<a class="reference internal" href="([^"#]*)#([^"]+)"><span '
                       r'class="std std-ref">([^<]+)</span></a>', page)
    assert {text for _, _, text in links} >= {"REQ_TEST_POLICY", "POL_REPORT", "FORM_EVENT"}
    for target, anchor, text in links:
        landing = (html_dir / target).read_text(encoding="utf-8")
        assert f'id="{anchor}"' in landing, (text, target, anchor)


def _built_with_conf(copy_root: Callable[[str], Path], tmp_path: Path, conf_text: str
                     ) -> tuple[Path, str]:
    """Build the complete test project with ``conf_text`` added to its conf.py.

    Return the output folder and Sphinx's warnings.
    """
    project = copy_root("complete")
    with (project / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(conf_text)
    out = tmp_path / "out"
    result = run_sphinx(project / "docs", out, confdir=project)
    assert result.returncode == 0, result.stderr
    return out, result.stderr


# A project extension that hides one need's label once the pages are read, so that the
# matrix cannot link it directly and leaves the link to Sphinx's reference resolver.
HIDDEN_LABEL_CONF = """

def setup(app):
    def hide(app, env):
        env.domains.standard_domain.anonlabels.pop("req_test_policy")

    app.connect("env-check-consistency", hide)
"""


def test_unlabeled_link_resolved_by_sphinx(copy_root: Callable[[str], Path],
                                            tmp_path: Path) -> None:
    out, warnings = _built_with_conf(copy_root, tmp_path, HIDDEN_LABEL_CONF)
    assert "matrix.md:7: WARNING: undefined label: 'req_test_policy'" in warnings
    page = (out / "_generated/matrix.html").read_text(encoding="utf-8")
    assert "<td><p><span>REQ_TEST_POLICY</span></p></td>" in page
    assert '<a class="reference internal" href="documents/tst-pol-01.html#POL_REPORT">' in page


# A project extension that counts the nodes of each page before and after the
# extension's own handler of html-page-context, which releases the previous page.
COUNTING_CONF = """

def setup(app):
    counts = {}

    def early(app, pagename, templatename, context, doctree):
        if doctree is not None:
            counts[pagename] = [len(list(doctree.findall()))]

    def late(app, pagename, templatename, context, doctree):
        if doctree is not None:
            counts[pagename].append(len(list(doctree.findall())))

    def done(app, exception):
        import json, pathlib
        pathlib.Path(app.outdir, "counts.json").write_text(json.dumps(counts))

    app.connect("html-page-context", early, priority=100)
    app.connect("html-page-context", late, priority=999)
    app.connect("build-finished", done)
"""


def test_late_handlers_see_whole_tree(copy_root: Callable[[str], Path],
                                      tmp_path: Path) -> None:
    out, _ = _built_with_conf(copy_root, tmp_path, COUNTING_CONF)
    counts = json.loads((out / "counts.json").read_text(encoding="utf-8"))
    assert counts["_generated/matrix"][0] > 100
    assert {page: (early, late) for page, (early, late) in counts.items() if early != late} \
        == {}


def test_furo_wraps_filled_tables(copy_root: Callable[[str], Path], tmp_path: Path) -> None:
    out, _ = _built_with_conf(copy_root, tmp_path, '\nhtml_theme = "furo"\n')
    for page in ("matrix", "applicability"):
        html_page = (out / f"_generated/{page}.html").read_text(encoding="utf-8")
        assert re.search(r'<div class="table-wrapper[^"]*">\s*<table', html_page), page


def _text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_downloads_are_linked(built: Path) -> None:
    page = (built / "_build/html/_generated/downloads.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]*(?:traceability-matrix|statement-of-applicability)'
                       r'\.(?:csv|json|xlsx))"', page)
    assert len(links) == 4
    for link in links:
        assert (built / "_build/html/_generated" / link).resolve().is_file()
    matrix = (built / "_build/html/_generated/matrix.html").read_text(encoding="utf-8")
    assert 'href="downloads.html"' in matrix


def test_needs_json_has_coverage_fields(built: Path) -> None:
    data = json.loads((built / "_build/html/needs.json").read_text(encoding="utf-8"))
    needs = data["versions"][""]["needs"]
    assert needs["REQ_TEST_POLICY"]["coverage"] == "covered"
    assert needs["REQ_TEST_POLICY"]["satisfies_back"] == ["POL_REPORT"]
    assert needs["PROC_INTAKE"]["performed_by"] == ["ROLE_POC"]


def test_home_page_shows_coverage_figures(built: Path) -> None:
    text = _text(built / "_build/html/index.html")
    assert "2 of 3 applicable requirements covered (66.7%)" in text


def test_gap_fails_sphinx_build_with_location(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    _remove_link(project, "    satisfies: [REQ_TEST_POLICY]\n")
    result = run_sphinx(project / "docs", project / "_build", "-W", "--keep-going",
                        confdir=project)
    assert result.returncode != 0
    line = next(n for n, text in enumerate(
        (project / "needs/requirements.yaml").read_text().splitlines(), start=1)
        if "id: REQ_TEST_POLICY" in text)
    assert re.search(rf"requirements\.yaml:{line}: WARNING: REQ_TEST_POLICY .* is not "
                     r"covered.*\[iso27035\.gap\]", result.stderr), result.stderr


def test_bundled_catalog_gap_warns_at_project_line(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    (project / "needs").mkdir()
    (project / "iso27035.yaml").write_text("organization: Example Ltd\ncatalog: bundled\n",
                                          encoding="utf-8")
    (project / "conf.py").write_text('extensions = ["generators.sphinxext"]\n',
                                     encoding="utf-8")
    result = run_sphinx(project / "docs", project / "_build", "-W", "--keep-going",
                        confdir=project)
    assert result.returncode != 0
    assert re.search(r"iso27035\.yaml:2: WARNING: REQ_P1_\w+ .* is not covered.* \(defined "
                     r"in the bundled catalog at iso27035-1\.yaml:\d+\)", result.stderr), \
        result.stderr
    assert "generators/_bundled" not in result.stderr
    assert "needs/catalog/" not in result.stderr


def test_content_problem_reported_at_yaml_line(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    artifacts = project / "needs" / "artifacts.yaml"
    text = artifacts.read_text(encoding="utf-8")
    artifacts.write_text(text.replace(
        "    satisfies: [REQ_TEST_POLICY]\n",
        "    satisfies: [REQ_TEST_POLICY]\n    content: |\n      First line.\n\n"
        "      A {ref}`no-such-label` here.\n", 1), encoding="utf-8")
    line = next(number for number, row in enumerate(
        artifacts.read_text(encoding="utf-8").splitlines(), start=1) if "no-such-label" in row)
    result = run_sphinx(project / "docs", project / "_build" / "html", confdir=project)
    assert result.returncode == 0, result.stderr
    assert re.search(rf"artifacts\.yaml:{line}: WARNING: undefined label: 'no-such-label'",
                     result.stderr), result.stderr


def test_without_graphviz_build_passes_and_says_how(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    result = run_sphinx(project / "docs", project / "_build", "-W", "--keep-going",
                        "-D", "graphviz_dot=/nonexistent/dot", confdir=project)
    assert result.returncode == 0, result.stderr
    text = _text(project / "_build/_generated/documents/tst-prc-01.html")
    assert "needs Graphviz" in text
    assert "apt-get install graphviz" in text


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
def test_diagram_rendered_with_graphviz(built: Path) -> None:
    page = (built / "_build/html/_generated/documents/tst-prc-01.html").read_text()
    assert "needflow" in page
    assert "needs Graphviz" not in page


def test_author_file_in_generated_folder_is_kept(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    own = project / "docs/_generated/matrix.md"
    own.parent.mkdir(parents=True)
    own.write_text("# My own notes\n", encoding="utf-8")
    result = run_sphinx(project / "docs", project / "_build", confdir=project)
    assert result.returncode != 0
    assert "was not written by iso27035" in result.stderr
    assert own.read_text(encoding="utf-8") == "# My own notes\n"


def test_folder_in_place_of_a_matrix_file(copy_root: Callable[[str], Path],
                                          tmp_path: Path) -> None:
    project = copy_root("complete")
    assert run_cli("build", "--project", str(project), "--out", str(tmp_path / "out")
                   ).returncode == 0
    generated = project / "docs/_generated"
    (generated / "downloads/traceability-matrix.csv").unlink()
    (generated / "downloads/traceability-matrix.csv").mkdir()
    before = {path: path.stat().st_mtime_ns for path in generated.rglob("*.md")}
    requirements = project / "needs/requirements.yaml"
    requirements.write_text(requirements.read_text(encoding="utf-8").replace(
        "Test standard", "Test norm"), encoding="utf-8")

    result = run_cli("build", "--project", str(project), "--out", str(tmp_path / "out"))

    assert result.returncode == 2
    assert "traceability-matrix.csv is a folder where iso27035 writes a generated file" \
        in result.stderr
    assert "Traceback" not in result.stderr
    assert "<function" not in result.stderr
    # nothing was written before the folder was found
    assert {path: path.stat().st_mtime_ns for path in generated.rglob("*.md")} == before


def test_cli_build_writes_site_and_matrix(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    result = run_cli("build", "--project", str(project), "--out", str(project / "out"))
    assert result.returncode == 0, result.stderr
    assert (project / "out/html/index.html").is_file()
    assert "out/html/index.html" in result.stdout
    assert "DeprecationWarning" not in result.stderr
    assert "RemovedInSphinx" not in result.stderr
    built_csv = (project / "out/matrix/traceability-matrix.csv").read_bytes()
    assert built_csv == (project / "docs/_generated/downloads/traceability-matrix.csv").read_bytes()


def test_cli_log_into_pipe_has_no_colour(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    (project / "needs/artifacts.yaml").write_text(
        (project / "needs/artifacts.yaml").read_text(encoding="utf-8").replace(
            "REQ_TEST_REPORTING", "REQ_TEST_POLICY"), encoding="utf-8")
    plain = {k: v for k, v in os.environ.items()
             if k not in ("CI", "FORCE_COLOR", "FORCE_COLOUR")}
    result = run_cli("build", "--project", str(project), "--out", str(project / "out"),
                     env=plain)
    assert "WARNING" in result.stderr
    assert "\x1b[" not in result.stderr


def test_project_without_conf_or_index(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    (project / "conf.py").unlink()
    (project / "docs/index.md").unlink()
    result = run_cli("build", "--project", str(project))
    assert result.returncode == 0, result.stderr
    text = _text(project / "_build/html/_generated/index.html")
    assert "Example & Co <Test>: incident management programme" in text
    assert (project / "_build/html/index.html").is_file()


def _files(folder: Path) -> dict[Path, bytes]:
    """Return the content of every file under ``folder``."""
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _built_site(copy_root: Callable[[str], Path]) -> tuple[Path, Path, dict[Path, bytes]]:
    """Build the complete test project; return it, its site folder and the site's files."""
    project = copy_root("complete")
    assert run_cli("build", "--project", str(project)).returncode == 0
    site = project / "_build/html"
    return project, site, _files(site)


def test_failed_build_keeps_previous_site(copy_root: Callable[[str], Path]) -> None:
    project, site, before = _built_site(copy_root)
    templates = project / "templates/site"
    templates.mkdir(parents=True)
    (templates / "matrix.md.j2").write_text("# Matrix\n\n{{ rows_by_part }}\n")
    path = project / "needs/artifacts.yaml"
    path.write_text(path.read_text().replace('"Event intake"', '"Event intake, changed"'))
    result = run_cli("build", "--project", str(project))
    assert result.returncode == 2
    assert "matrix.md.j2:3: 'rows_by_part' is undefined" in result.stderr
    after = _files(site)
    assert after == before
    assert not [p for p in project.iterdir() if "staging" in p.name]


# A project extension that interrupts the build, as Ctrl+C would, after the extension
# has recorded the pages it wrote. Sphinx keeps its environment after an interruption.
LATE_INTERRUPT_CONF = """

def setup(app):
    def interrupt(app, exception):
        if exception is None:
            raise KeyboardInterrupt

    app.connect("build-finished", interrupt, priority=950)
"""


def test_discarded_build_leaves_no_record(copy_root: Callable[[str], Path],
                                          tmp_path: Path) -> None:
    project = copy_root("complete")
    path = project / "needs/artifacts.yaml"
    # the policy's page shows the procedure's title, filled in when the page is written
    path.write_text(path.read_text().replace(
        "    satisfies: [REQ_TEST_POLICY]\n",
        "    satisfies: [REQ_TEST_POLICY]\n    content: \"See {need}`PROC_INTAKE`.\"\n", 1))
    assert run_cli("build", "--project", str(project)).returncode == 0
    site = project / "_build/html"
    before = _files(site)
    conf = project / "conf.py"
    plain_conf = conf.read_text(encoding="utf-8")
    conf.write_text(plain_conf + LATE_INTERRUPT_CONF, encoding="utf-8")
    path.write_text(path.read_text().replace('"Event intake"', '"Event intake, changed"'))
    assert run_cli("build", "--project", str(project)).returncode != 0
    assert _files(site) == before

    conf.write_text(plain_conf, encoding="utf-8")
    assert run_cli("build", "--project", str(project)).returncode == 0
    clean = tmp_path / "clean"
    shutil.copytree(project, clean, ignore=shutil.ignore_patterns("_build", "_generated"))
    assert run_cli("build", "--project", str(clean)).returncode == 0
    after, expected = _page_texts(site), _page_texts(clean / "_build/html")
    assert [page for page in expected if after.get(page) != expected[page]] == []
    assert "Event intake, changed" in after["_generated/documents/tst-pol-01.html"]


def test_unknown_layout_reported_plainly(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    (project / "docs/extract.md").write_text(
        "# Extract\n\n```{needextract}\n:filter: id == \"PROC_INTAKE\"\n"
        ":layout: nosuchlayout\n```\n", encoding="utf-8")
    result = run_cli("build", "--project", str(project))
    assert result.returncode == 2
    assert "iso27035: the site build failed:" in result.stderr
    assert "nosuchlayout" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM ends a process at once there")
def test_sigterm_keeps_site_and_cache(copy_root: Callable[[str], Path]) -> None:
    project, site, before = _built_site(copy_root)
    path = project / "needs/artifacts.yaml"
    path.write_text(path.read_text().replace('"Event intake"', '"Event intake, changed"'))

    build = subprocess.Popen([sys.executable, "-m", "generators", "build", "--project",
                              str(project)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not any(p.name.startswith("._build-staging-") for p in project.iterdir()):
        assert build.poll() is None, "the build ended before its staging folder appeared"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    build.send_signal(signal.SIGTERM)
    build.communicate(timeout=120)

    assert build.returncode == 128 + signal.SIGTERM
    assert not [p for p in project.iterdir() if "staging" in p.name]
    assert _files(site) == before
    assert (project / "_build/.doctrees").is_dir()


def test_cli_says_how_to_get_diagrams(copy_root: Callable[[str], Path]) -> None:
    import os
    import subprocess
    import sys

    project = copy_root("complete")
    result = subprocess.run([sys.executable, "-m", "generators", "build", "--project",
                             str(project)], env={**os.environ, "PATH": "/nonexistent"},
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "Graphviz 'dot' was not found" in result.stdout
    assert "apt-get install graphviz" in result.stdout


def test_linked_site_folder_left_alone(copy_root: Callable[[str], Path],
                                       tmp_path: Path) -> None:
    project = copy_root("complete")
    served = tmp_path / "served"
    served.mkdir()
    (served / "index.html").write_text("the site being served", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "html").symlink_to(served, target_is_directory=True)

    result = run_cli("build", "--project", str(project), "--out", str(out))

    assert result.returncode == 2
    assert "is a symbolic link, and a build replaces the site folder" in result.stderr
    assert (out / "html").is_symlink()
    assert (served / "index.html").read_text(encoding="utf-8") == "the site being served"
    assert not (out / "matrix").exists()


@pytest.mark.parametrize(("count", "sizes"), [
    (0, [0]),
    (ROWS_PER_PAGE, [ROWS_PER_PAGE]),
    (ROWS_PER_PAGE + 1, [ROWS_PER_PAGE // 2 + 1, ROWS_PER_PAGE // 2]),
    (2 * ROWS_PER_PAGE, [ROWS_PER_PAGE, ROWS_PER_PAGE]),
    (2 * ROWS_PER_PAGE + 1, [ROWS_PER_PAGE // 3 * 2 + 1] * 2 + [ROWS_PER_PAGE // 3 * 2 - 1]),
])
def test_table_pages_of_nearly_equal_size(count: int, sizes: list[int]) -> None:
    rows: list[list[Any]] = [[number] for number in range(count)]
    parts = [table_part(rows, n) for n in range(1, part_count(rows) + 1)]
    assert [len(part) for part in parts] == sizes
    assert sum(parts, []) == rows


def test_roles_list_names_page_of_each_role(tmp_path: Path) -> None:
    # 100 roles without a document: listed on the first page, defined on two pages
    project = _synthetic_project(tmp_path / "project", 625)
    result = load_project(project)
    assert result.model is not None
    assert result.settings is not None
    coverage = compute_coverage(result.model, result.settings.current_date())
    pages = render_pages(result.model, coverage, SiteOptions(diagrams=False, own_index=True))

    rows = [line for line in pages.texts["roles.md"].splitlines() if "ROLE_S_" in line
            and line.startswith("| ")]
    assert len(rows) == 100
    defined = {page: set(re.findall(r"ROLE_S_\d+", pages.texts[f"{page}.md"].split(
        "## Roles without a document")[1])) for page in ("roles", "roles-2")}
    for row in rows:
        role_id = re.search(r"ROLE_S_\d+", row).group()  # type: ignore[union-attr]
        expected = "this page" if role_id in defined["roles"] \
            else "[page 2](/_generated/roles-2.md)"
        assert row.endswith(f"| {expected} |"), row
