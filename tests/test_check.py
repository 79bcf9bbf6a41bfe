"""The CI gate: report formats, --fail-on, baselines, dates, and the auditors' files."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname
from xml.etree import ElementTree

import jsonschema
import openpyxl
import pytest
import yaml

from generators.check.result import CHECK_KINDS, parse_kinds
from generators.coverage import compute_coverage
from generators.loading.project import load_project
from generators.matrix import applicability_rows
from generators.resources import bundled_dir
from generators.site.tables import table_rows
from generators.workbook import EXCEL_CELL_LIMIT, evidence_workbook_bytes
from tests.conftest import GAPS, REPOSITORY, run_cli

DATA = Path(__file__).parent / "data"

BUNDLED_SETTINGS = """\
organization: Test Org
today: 2026-06-30
catalog: bundled
"""

BUNDLED_PROGRAMME = """\
documents:
  - id: ORG-POL-01
    kind: policy
    title: Incident policy
    version: "1.0"
    status: approved
    owner: Head of Security
    approver: Board
    approved: 2026-01-10
    next_review: 2027-01-10
    classification: INTERNAL
    sections:
      - id: terms
        title: Terms
needs:
  - id: POL_TERMS
    type: pol
    title: Terms and scaling
    document: ORG-POL-01
    section: terms
    satisfies:
      - REQ_P1_4_1_1
      - REQ_P1_4_4_1
exclusions:
  - requirement: REQ_P1_4_2_1
    justification: Stated in the charter.
    approved_by: Head of Security
    date: 2026-01-15
    expires: 2026-05-31
"""
"""A programme on the bundled catalog: REQ_P1_4_4_1 partial, REQ_P1_4_2_1 a gap again."""


@pytest.fixture
def bundled(make_project: Callable[..., Path]) -> Path:
    """A project that reads the bundled catalog, which lies outside the project folder."""
    return make_project({"needs/programme.yaml": BUNDLED_PROGRAMME}, BUNDLED_SETTINGS)


def _line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.endswith(text))


def _catalog_line(req_id: str) -> int:
    return _line_of(bundled_dir("catalog") / "iso27035-1.yaml", f"- id: {req_id}")


WEAK_TRACES = """\
  - id: PROC_LONELY
    type: proc
    title: Unlinked procedure
    document: TST-PRC-01
  - id: FORM_SPARE
    type: form
    title: Spare form
    satisfies: [REQ_TEST_REPORTING]
    sections:
      - title: S
        fields:
          - {name: note, label: Note, type: text}
  - id: EVID_NO_OWNER
    type: evid
    title: Unowned record
    group: improvement
    evidences: [PROC_INTAKE]
"""
"""Artifacts with weak traces: an orphan procedure with no role, an unused form, evidence
without an owner."""


def _append(project: Path, text: str) -> None:
    path = project / "needs/artifacts.yaml"
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_junit_one_failing_case_per_gap(gaps: Path) -> None:
    result = run_cli("check", "--project", str(gaps), "--format", "junit")
    assert result.returncode == 1
    root = ElementTree.fromstring(result.stdout)
    failing = [case.get("name") for case in root.iter("testcase")
               if case.find("failure") is not None]
    assert len(failing) == 2
    assert all(name.startswith(("REQ_TEST_RESPONSE ", "REQ_TEST_RECOVERY ")) for name in failing)
    suite = root.find("testsuite[@name='requirements']")
    assert suite is not None
    assert suite.get("tests") == "6"
    assert suite.get("failures") == "2"
    assert suite.get("skipped") == "1"


def test_sarif_validates_against_schema(gaps: Path) -> None:
    result = run_cli("check", "--project", str(gaps), "--format", "sarif",
                     "--fail-on", "gap,partial")
    assert result.returncode == 1
    log = json.loads(result.stdout)
    schema = json.loads((DATA / "sarif-2.1.0-subset.schema.json").read_text())
    jsonschema.validate(log, schema)
    results = log["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"iso27035.gap", "iso27035.partial"}
    assert all(r["level"] == "error" for r in results)
    rules = [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]]
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in results)


def test_sarif_schema_rejects_a_broken_log() -> None:
    schema = json.loads((DATA / "sarif-2.1.0-subset.schema.json").read_text())
    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
                                              "results": [{"ruleId": "a", "level": "fatal",
                                                           "message": {"text": "m"}}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_github_lines_are_workflow_annotations(gaps: Path) -> None:
    result = run_cli("check", "--project", str(gaps), "--format", "github")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    pattern = re.compile(r"^::(error|warning|notice)( file=[^,:]+,line=\d+,title=[^:]+|"
                         r" title=[^:]+)?::.+$")
    assert all(pattern.match(line) for line in lines), lines
    errors = [line for line in lines if line.startswith("::error file=")]
    assert len(errors) == 2
    assert all("requirements.yaml,line=" in line and "title=iso27035.gap" in line
               for line in errors)
    assert lines[-1].startswith("::error::check failed: 2 gap")


def test_json_report(gaps: Path) -> None:
    result = run_cli("check", "--project", str(gaps), "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["result"] == "failed"
    assert report["totals"]["gap"] == 2
    failing = [f for f in report["findings"] if f["fails"]]
    assert {f["subject"] for f in failing} == {"REQ_TEST_RESPONSE", "REQ_TEST_RECOVERY"}
    assert all(f["file"].endswith("requirements.yaml") and f["line"] for f in failing)


def test_fail_on_chooses_the_kinds(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    assert run_cli("check", "--project", str(project)).returncode == 0
    result = run_cli("check", "--project", str(project), "--fail-on", "gap,partial")
    assert result.returncode == 1
    assert "check failed: 1 partial" in result.stdout
    assert run_cli("check", "--project", str(project), "--fail-on", "all").returncode == 1


@pytest.mark.parametrize(("values", "expected"), [
    (["gap", " partial", "gap"], ("gap", "partial")),
    (["all"], CHECK_KINDS),
    (["all", "gap"], CHECK_KINDS),
    (["", " "], ()),
])
def test_fail_on_kinds_parsed(values: list[str], expected: tuple[str, ...]) -> None:
    assert parse_kinds(values) == expected


def test_unknown_kind_beside_all_rejected() -> None:
    with pytest.raises(ValueError, match="unknown finding kind\\(s\\) gaps; choose from"):
        parse_kinds(["all", "gaps"])


def test_unknown_fail_on_kind_is_usage_error(copy_root: Callable[[str], Path]) -> None:
    result = run_cli("check", "--project", str(copy_root("complete")), "--fail-on", "gaps")
    assert result.returncode == 2
    assert "unknown finding kind(s) gaps" in result.stderr


def test_text_mode_prints_summary_per_part_and_phase(gaps: Path) -> None:
    result = run_cli("check", "--project", str(gaps))
    assert re.search(r"Test standard\s+6\s+2\s+1\s+2\s+1\s+40\.0%", result.stdout)
    assert re.search(r"Respond\s+2\s+0\s+0\s+2\s+0\s+0\.0%", result.stdout)


def test_expired_exclusion_is_reported_with_date(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    path = project / "needs/requirements.yaml"
    path.write_text(path.read_text() + "    expires: 2026-05-31\n")
    before = run_cli("check", "--project", str(project), "--today", "2026-05-31")
    after = run_cli("check", "--project", str(project), "--today", "2026-06-01")
    assert before.returncode == 0
    assert after.returncode == 1
    assert "the exclusion of REQ_TEST_MULTI_POC expired on 2026-05-31" in after.stdout
    assert "[iso27035.expired-exclusion]" in after.stdout
    assert re.search(r"REQ_TEST_MULTI_POC .* is not covered", after.stdout)


def test_exclusion_dated_later_stays_a_gap(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")  # the exclusion of REQ_TEST_MULTI_POC is dated 2026-01-15
    before = run_cli("check", "--project", str(project), "--today", "2026-01-14")
    on_date = run_cli("check", "--project", str(project), "--today", "2026-01-15")
    assert before.returncode == 1
    assert on_date.returncode == 0
    assert ("the exclusion of REQ_TEST_MULTI_POC is dated 2026-01-15, after today "
            "(2026-01-14)") in before.stdout
    assert "[iso27035.pending-exclusion]" in before.stdout
    assert re.search(r"REQ_TEST_MULTI_POC .* is not covered", before.stdout)
    assert "pending-exclusion" not in on_date.stdout


def test_applicability_says_when_exclusion_counts(copy_root: Callable[[str], Path]) -> None:
    result = load_project(copy_root("complete"))
    assert result.model is not None
    reasons = {}
    for day in ("2026-01-14", "2026-01-15"):
        coverage = compute_coverage(result.model, dt.date.fromisoformat(day))
        header, rows = applicability_rows(coverage)
        site_header, site_rows = table_rows("applicability", result.model, coverage)
        row = next(r for r in rows if r[0] == "REQ_TEST_MULTI_POC")
        site_row = next(r for r in site_rows if r[0][0].text == "REQ_TEST_MULTI_POC")
        reasons[day] = (row[header.index("Applicable")], row[header.index("Justification")])
        assert site_row[site_header.index("Justification")][0].text == reasons[day][1]
    assert reasons["2026-01-14"] == (
        "yes", "Exclusion not in force before 2026-01-15: There is one point of contact.")
    assert reasons["2026-01-15"] == ("no", "There is one point of contact.")


def test_stale_evidence_and_document_dates(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    result = run_cli("check", "--project", str(project), "--today", "2027-02-01",
                     "--fail-on", "stale")
    assert result.returncode == 1
    assert ("evidence item EVID_POLICY_APPROVAL is overdue for review since 2027-01-10 "
            "(last reviewed 2026-01-10, every 12 months)") in result.stdout
    assert "document TST-POL-01 (Incident policy) is overdue for review since 2027-01-10" \
        in result.stdout
    on_time = run_cli("check", "--project", str(project), "--today", "2027-01-10",
                      "--fail-on", "stale")
    assert on_time.returncode == 0


def test_weak_traces_are_findings(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    _append(project, WEAK_TRACES)
    result = run_cli("check", "--project", str(project), "--fail-on",
                     "orphan,no-role,unused-form,no-owner", "--format", "json")
    assert result.returncode == 1
    failing = {(f["kind"], f["subject"]) for f in json.loads(result.stdout)["findings"]
               if f["fails"]}
    assert failing == {("orphan", "PROC_LONELY"), ("no-role", "PROC_LONELY"),
                       ("unused-form", "FORM_SPARE"), ("no-owner", "EVID_NO_OWNER")}


def test_baseline_fails_only_on_new_findings(gaps: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    recorded = run_cli("check", "--project", str(gaps), "--write-baseline", str(baseline))
    assert recorded.returncode == 0
    assert run_cli("check", "--project", str(gaps), "--baseline", str(baseline)).returncode == 0
    path = gaps / "needs/requirements.yaml"
    path.write_text(path.read_text().replace(
        "exclusions:\n", GAPS.replace("RESPONSE", "LOGGING").split("  - id: REQ_TEST_RECOVERY")[0]
        + "exclusions:\n"))
    result = run_cli("check", "--project", str(gaps), "--baseline", str(baseline))
    assert result.returncode == 1
    assert "check failed: 1 gap" in result.stdout
    assert "2 finding(s) in the baseline ignored" in result.stdout
    assert "REQ_TEST_LOGGING" in result.stdout


def test_unreadable_baseline_exits_2(gaps: Path, tmp_path: Path) -> None:
    bad = tmp_path / "baseline.json"
    bad.write_text("{not json")
    result = run_cli("check", "--project", str(gaps), "--baseline", str(bad))
    assert result.returncode == 2
    assert "is not valid JSON" in result.stderr
    missing = run_cli("check", "--project", str(gaps), "--baseline", str(tmp_path / "none"))
    assert missing.returncode == 2
    assert "not found" in missing.stderr


def test_output_file_and_summary(gaps: Path, tmp_path: Path) -> None:
    report = tmp_path / "reports/check.xml"
    result = run_cli("check", "--project", str(gaps), "--format", "junit", "--output",
                     str(report))
    assert result.returncode == 1
    assert ElementTree.parse(report).getroot().tag == "testsuites"
    assert "Coverage on 2026-06-30:" in result.stdout
    assert "check failed: 2 gap" in result.stdout
    assert "<testsuites" not in result.stdout


def test_exclude_drafts_option(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    result = run_cli("check", "--project", str(project), "--exclude-drafts")
    assert result.returncode == 1
    assert "drafts not counted: PROC_INTAKE" in result.stdout


def test_workbook_keeps_formula_like_text(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    path = project / "needs/artifacts.yaml"
    path.write_text(path.read_text().replace('title: "Report suspected events"',
                                             "title: '=HYPERLINK(\"http://x.invalid\",\"a\")'")
                    .replace('title: "Event intake"', "title: '+1+2'")
                    .replace('title: "Event report"', "title: '@SUM(A1:A2)'"))
    result = run_cli("build", "--project", str(project))
    assert result.returncode == 0, result.stderr
    data = (project / "_build/matrix/traceability-matrix.xlsx").read_bytes()
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    titles = {row[0].value: row[1] for row in workbook["Policy statements"].iter_rows(min_row=2)}
    assert titles["POL_REPORT"].value == '=HYPERLINK("http://x.invalid","a")'
    assert titles["POL_REPORT"].data_type == "s"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name), name
    csv_text = (project / "_build/matrix/traceability-matrix.csv").read_text()
    assert "'=HYPERLINK" not in csv_text  # titles of artifacts are not in the matrix CSV
    assert "REQ_TEST_POLICY" in csv_text


def test_workbook_sheets_and_layout(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    assert run_cli("build", "--project", str(project)).returncode == 0
    workbook = openpyxl.load_workbook(project / "_build/matrix/traceability-matrix.xlsx")
    assert workbook.sheetnames == ["Summary", "Requirements", "Applicability",
                                   "Policy statements", "Procedures", "Forms", "Roles",
                                   "Evidence items"]
    requirements = workbook["Requirements"]
    assert requirements.freeze_panes == "A2"
    assert requirements.auto_filter.ref == "A1:U5"
    statuses = {row[0].value: row[10].value for row in requirements.iter_rows(min_row=2)}
    assert statuses["REQ_TEST_MULTI_POC"] == "excluded"
    applicability = {row[0].value: (row[5].value, row[6].value)
                     for row in workbook["Applicability"].iter_rows(min_row=2)}
    assert applicability["REQ_TEST_MULTI_POC"] == ("no", "There is one point of contact.")
    assert applicability["REQ_TEST_POLICY"] == ("yes", "Applicable.")


def test_workbook_long_cell_cut_with_marker(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    model = load_project(project).model
    assert model is not None
    rows = [["ascii", "x" * (EXCEL_CELL_LIMIT + 10)],
            ["emoji", "Long text \u00e9\U0001F600 " * 3000 + "END"],
            ["fits", "\U0001F600" * (EXCEL_CELL_LIMIT // 2)],
            ["short", "short"]]
    data = evidence_workbook_bytes(model, ["Id", "Text"], rows,
                                   dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Evidence"]
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    for name in ("ascii", "emoji"):
        assert len(values[name].encode("utf-16-le")) // 2 <= EXCEL_CELL_LIMIT, name
        assert values[name].endswith("the CSV export has the whole text]"), name
    assert values["emoji"].startswith("Long text \u00e9\U0001F600 Long text")
    assert values["fits"] == rows[2][1]
    assert values["short"] == "short"


def test_workbook_summary_percent_is_number(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    assert run_cli("build", "--project", str(project)).returncode == 0
    report = json.loads(run_cli("check", "--project", str(project), "--format", "json").stdout)
    summary = openpyxl.load_workbook(project / "_build/matrix/traceability-matrix.xlsx")["Summary"]
    header = [cell.value for cell in summary[3]]
    column = header.index("Covered %")
    rows = {row[0].value: row[column] for row in summary.iter_rows(min_row=4)}
    overall = rows["All requirements"]
    assert overall.data_type == "n"
    assert overall.number_format == "0.0%"
    assert overall.value == pytest.approx(report["totals"]["percent_covered"] / 100)
    assert rows["Test standard"].value == pytest.approx(
        report["by_source"]["Test standard"]["percent_covered"] / 100)
    assert rows["Phase: Learn lessons"].value == 0
    assert report["by_phase"]["respond"]["percent_covered"] is None
    assert rows["Phase: Respond"].value is None


def test_evidence_pack_groups_and_zip(copy_root: Callable[[str], Path], tmp_path: Path) -> None:
    project = copy_root("complete")
    (project / "records").mkdir()
    (project / "records/minutes.txt").write_text("Board minutes <approved> & signed\n")
    path = project / "needs/artifacts.yaml"
    path.write_text(path.read_text().replace("    evidences: [REQ_TEST_POLICY]\n",
                                             "    evidences: [REQ_TEST_POLICY]\n"
                                             "    attachments: [records/minutes.txt]\n"))
    first = run_cli("evidence-pack", "--project", str(project), "--out", str(tmp_path / "a"))
    second = run_cli("evidence-pack", "--project", str(project), "--out", str(tmp_path / "b"))
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    archive_a = (tmp_path / "a/evidence-pack.zip").read_bytes()
    assert archive_a == (tmp_path / "b/evidence-pack.zip").read_bytes()
    names = zipfile.ZipFile(io.BytesIO(archive_a)).namelist()
    assert sorted(names) == ["evidence-pack/evidence.xlsx",
                             "evidence-pack/files/EVID_POLICY_APPROVAL/minutes.txt",
                             "evidence-pack/index.html"]
    index = (tmp_path / "a/evidence-pack/index.html").read_text()
    assert "<h2>Process design</h2>" in index
    assert "EVID_POLICY_APPROVAL" in index
    assert "Point of contact (ROLE_POC)" in index
    assert "REQ_TEST_POLICY (Test standard 4.1)" in index
    sheet = openpyxl.load_workbook(tmp_path / "a/evidence-pack/evidence.xlsx")["Evidence"]
    header = [cell.value for cell in sheet[1]]
    rows = {row[0]: dict(zip(header, row, strict=True))
            for row in sheet.iter_rows(min_row=2, values_only=True)}
    approval = rows["EVID_POLICY_APPROVAL"]
    assert approval["Files"] == "files/EVID_POLICY_APPROVAL/minutes.txt"
    assert approval["Proves requirements"] == "REQ_TEST_POLICY"


@pytest.mark.parametrize("reference", ["../outside.txt", "/etc/passwd", "link/secret.txt",
                                       "records/none.txt"])
def test_attachment_outside_project_rejected(copy_root: Callable[[str], Path],
                                             reference: str) -> None:
    project = copy_root("complete")
    (project.parent / "outside.txt").write_text("secret")
    (project / "link").symlink_to(project.parent)
    (project.parent / "secret.txt").write_text("secret")
    path = project / "needs/artifacts.yaml"
    path.write_text(path.read_text().replace("    evidences: [REQ_TEST_POLICY]\n",
                                             "    evidences: [REQ_TEST_POLICY]\n"
                                             f"    attachments: ['{reference}']\n"))
    result = run_cli("evidence-pack", "--project", str(project))
    assert result.returncode == 2
    assert "[iso27035.unsafe-path]" in result.stderr
    assert not (project / "_build").exists()


def test_github_places_catalog_findings_in_project(bundled: Path) -> None:
    result = run_cli("check", "--project", "project", "--format", "github",
                     "--fail-on", "gap,partial", cwd=bundled.parent)
    assert result.returncode == 1
    programme = bundled / "needs/programme.yaml"
    annotations = {}
    for line in result.stdout.splitlines()[:-1]:
        match = re.match(r"^::(?:error|warning) file=([^,]+),line=(\d+),title=([^:]+)::"
                         r"(\S+) ", line)
        assert match, line
        annotations[(match[3], match[4])] = (match[1], int(match[2]), line)
    assert all(file.startswith("project/") for file, _, _ in annotations.values())

    file, line, text = annotations[("iso27035.gap", "REQ_P1_4_X_1")]
    assert (file, line) == ("project/iso27035.yaml", 3)
    assert (f"(defined in the bundled catalog at iso27035-1.yaml:"
            f"{_catalog_line('REQ_P1_4_X_1')})") in text
    assert "(hint: add 'satisfies: [REQ_P1_4_X_1]'" in text

    file, line, _ = annotations[("iso27035.gap", "REQ_P1_4_2_1")]
    assert (file, line) == ("project/needs/programme.yaml",
                            _line_of(programme, "- requirement: REQ_P1_4_2_1"))
    file, line, _ = annotations[("iso27035.partial", "REQ_P1_4_4_1")]
    assert (file, line) == ("project/needs/programme.yaml",
                            _line_of(programme, "- REQ_P1_4_4_1"))


def test_sarif_uris_are_relative_or_file_uris(bundled: Path) -> None:
    schema = json.loads((DATA / "sarif-2.1.0-subset.schema.json").read_text())
    elsewhere = bundled.parent / "elsewhere"
    elsewhere.mkdir()
    for cwd, project in ((bundled.parent, "project"), (elsewhere, str(bundled))):
        result = run_cli("check", "--project", project, "--format", "sarif", cwd=cwd)
        assert result.returncode == 1
        log = json.loads(result.stdout)
        jsonschema.validate(log, schema)
        results = log["runs"][0]["results"]
        gap = next(r for r in results if r["partialFingerprints"]["iso27035/v1"]
                   == "gap:REQ_P1_4_X_1")
        physical = gap["locations"][0]["physicalLocation"]
        assert physical["region"] == {"startLine": 3}
        assert "bundled catalog at iso27035-1.yaml:" in gap["message"]["text"]

        for entry in results:
            artifact = entry["locations"][0]["physicalLocation"]["artifactLocation"]
            uri = urlsplit(artifact["uri"])
            if "uriBaseId" in artifact:
                assert cwd == bundled.parent
                assert artifact["uriBaseId"] == "%SRCROOT%"
                assert not uri.scheme, artifact
                assert not uri.path.startswith("/"), artifact
                path = cwd / unquote(uri.path)
            else:
                assert cwd == elsewhere
                assert uri.scheme == "file", artifact
                path = Path(url2pathname(uri.path))
            assert path.is_file(), artifact
            assert bundled.resolve() in path.resolve().parents, artifact


def test_text_and_junit_name_the_bundled_catalog(bundled: Path) -> None:
    line = _catalog_line("REQ_P1_4_X_1")
    text = run_cli("check", "--project", str(bundled))
    assert text.returncode == 1
    assert f"<bundled catalog>/iso27035-1.yaml:{line}: error: REQ_P1_4_X_1 " in text.stdout
    assert str(bundled_dir("catalog")) not in text.stdout

    junit = run_cli("check", "--project", str(bundled), "--format", "junit")
    failures = [case.find("failure") for case in ElementTree.fromstring(junit.stdout)
                .iter("testcase") if case.get("name", "").startswith("REQ_P1_4_X_1 ")]
    assert failures[0] is not None
    assert (failures[0].text or "").startswith(f"<bundled catalog>/iso27035-1.yaml:{line}: ")


def test_json_gives_project_line_and_definition(bundled: Path) -> None:
    result = run_cli("check", "--project", "project", "--format", "json", "--fail-on",
                     "gap,partial", cwd=bundled.parent)
    findings = {(f["kind"], f["subject"]): f for f in json.loads(result.stdout)["findings"]}
    gap = findings[("gap", "REQ_P1_4_X_1")]
    assert (gap["file"], gap["line"]) == ("project/iso27035.yaml", 3)
    assert gap["defined_in"] == {"file": "<bundled catalog>/iso27035-1.yaml",
                                 "line": _catalog_line("REQ_P1_4_X_1")}
    expired = findings[("expired-exclusion", "REQ_P1_4_2_1")]
    assert expired["file"] == "project/needs/programme.yaml"
    assert expired["defined_in"] is None


def test_catalog_findings_fall_back_to_settings_start(make_project: Callable[..., Path]
                                                      ) -> None:
    project = make_project({"needs/programme.yaml": BUNDLED_PROGRAMME},
                           "# Programme settings.\norganization: Test Org\n")
    result = run_cli("check", "--project", "project", "--format", "github",
                     cwd=project.parent)
    assert result.returncode == 1
    assert re.search(r"^::error file=project/iso27035\.yaml,line=2,title=iso27035\.gap::"
                     r"REQ_P1_4_X_1 ", result.stdout, re.MULTILINE)


def test_text_shows_every_hint(gaps: Path) -> None:
    path = gaps / "needs/requirements.yaml"
    path.write_text(path.read_text() + "    expires: 2026-05-31\n")
    _append(gaps, WEAK_TRACES)
    args = ("check", "--project", str(gaps), "--today", "2027-02-01", "--fail-on", "all")
    report = json.loads(run_cli(*args, "--format", "json").stdout)
    text = run_cli(*args).stdout
    kinds = {f["kind"] for f in report["findings"]}
    assert kinds == {"expired-exclusion", "gap", "no-owner", "no-role", "orphan", "partial",
                     "stale", "unused-form"}
    for finding in report["findings"]:
        assert finding["hint"], finding
        expected_lines = (f"{finding['message']} [iso27035.{finding['kind']}]\n"
                          f"    hint: {finding['hint']}\n")
        assert expected_lines in text, finding


def test_no_requirements_exits_2(make_project: Callable[..., Path], tmp_path: Path) -> None:
    project = make_project({"needs/roles.yaml": """\
        needs:
          - id: ROLE_POC
            type: role
            kind: role
            title: Point of contact
        """})
    baseline = tmp_path / "baseline.json"
    for extra in ((), ("--format", "sarif"), ("--write-baseline", str(baseline))):
        result = run_cli("check", "--project", str(project), *extra)
        assert result.returncode == 2, extra
        assert result.stdout == "", extra
        assert re.search(r"iso27035\.yaml:2: error: no requirements to check: 'catalog: none' "
                         r"is set and no need file under needs/ defines one", result.stderr)
        assert "hint: set 'catalog:' to 'bundled'" in result.stderr
    assert not baseline.exists()


@pytest.mark.parametrize(("path", "runs"), [
    ("iso27035.yaml", True),
    ("needs/artifacts.yaml", True),
    ("needs/sub/roles.yml", True),
    ("compliance/iso27035.yaml", True),
    ("compliance/needs/artifacts.yaml", True),
    ("docs/index.md", False),
    ("myneeds/artifacts.yaml", False),
    ("needs/notes.txt", False),
])
def test_hook_files_pattern(path: str, runs: bool) -> None:
    hooks = yaml.safe_load((REPOSITORY / ".pre-commit-hooks.yaml").read_text())
    pattern = re.compile(hooks[0]["files"])
    assert bool(pattern.search(path)) is runs
