"""Forms: the Word form, the JSON Schema, the site page and report validation."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from jsonschema import Draft202012Validator

from generators.findings import Finding
from generators.forms.blank_report import blank_report
from generators.forms.report_check import check_report
from generators.forms.report_file import Report, read_report
from generators.forms.schema import form_schema, schema_json
from generators.forms.word import form_context, render_form
from generators.loading.project import load_project
from generators.model import Form, Model
from generators.site.need_content import need_markup
from tests.conftest import REPOSITORY, run_cli

STAMP = dt.datetime(2026, 6, 30, tzinfo=dt.UTC)

COMPLETE_REPORT = """\
reporter: {name: Ana Silva, email: ana@example.org, phone: "+351 555 0100"}
reported_at: 2026-03-01T14:30:00+01:00
description: A strange e-mail asked for my password.
severity: "2"
ongoing: no
channels: [e-mail, phone]
users_affected: 3
noticed_on: 2026-03-01
tlp: TLP:AMBER
actions:
  - {action_at: 2026-03-01T14:35:00Z, action: Reported to the service desk}
assets:
  - asset: Mailbox of Ana
    asset_categories: [personal data]
"""


def _load(project: Path) -> Model:
    result = load_project(project)
    assert result.model is not None, "\n".join(f.format() for f in result.findings)
    return result.model


def _docx_text(data: bytes) -> str:
    """Return the text of every paragraph of a .docx, tables included, one per line."""
    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []

    def walk(container: Any) -> None:
        for paragraph in container.paragraphs:
            lines.append(paragraph.text)
        for table in container.tables:
            for row in table.rows:
                for cell in row.cells:
                    walk(cell)

    walk(document)
    for section in document.sections:
        walk(section.header)
        walk(section.footer)
    return "\n".join(lines)


def _check(model: Model, form_id: str, text: str, suffix: str = ".yaml",
           tmp_path: Path | None = None) -> list[Finding]:
    folder = tmp_path or Path.cwd()
    path = folder / f"report{suffix}"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    report, findings = read_report(path)
    assert report is not None, findings
    form = model.needs[form_id]
    assert isinstance(form, Form)
    return check_report(form, model, report)


# -- every field in every output ------------------------------------------------------

def _projects() -> list[Path]:
    projects = [REPOSITORY / "tests/roots/test-forms"]
    if load_project(REPOSITORY).model is not None:  # the example is edited in place
        projects.append(REPOSITORY)
    return projects


@pytest.mark.parametrize("project", _projects(), ids=lambda p: p.name)
def test_every_field_in_every_output(project: Path) -> None:
    model = _load(project)
    forms = model.of_type(Form)
    assert forms
    for form in forms:
        text = _docx_text(render_form(form, model, STAMP))
        schema = form_schema(form, model)
        page = need_markup(form, model)
        Draft202012Validator.check_schema(schema)
        assert form.title in text
        for section in form.sections:
            assert section.title in text, (form.id, section.title)
            where = schema["properties"]
            if section.repeating:
                assert where[section.name]["type"] in ("array", ["array", "null"])
                where = where[section.name]["items"]["properties"]
            for item in section.fields:
                assert item.label in text, (form.id, item.name)
                assert item.name in where, (form.id, item.name)
                assert where[item.name]["title"] == item.label
                assert f"`{item.name}`" in page, (form.id, item.name)


@pytest.mark.parametrize("project", _projects(), ids=lambda p: p.name)
def test_blank_report_lists_every_field(project: Path, tmp_path: Path) -> None:
    model = _load(project)
    for form in model.of_type(Form):
        path = tmp_path / f"{form.id}.yaml"
        path.write_text(blank_report(form, model), encoding="utf-8")
        report, findings = read_report(path)
        assert report is not None, findings
        assert isinstance(report.data, dict)
        for section in form.sections:
            if section.repeating:
                assert set(report.data[section.name][0]) == {f.name for f in section.fields}
            else:
                assert {f.name for f in section.fields} <= set(report.data)
        problems = check_report(form, model, report)
        assert all(p.kind == "missing-field" for p in problems), [p.format() for p in problems]


def test_docx_marks_required_and_prints_choices() -> None:
    model = _load(REPOSITORY / "tests/roots/test-forms")
    text = _docx_text(render_form(model.needs["FORM_EVENT"], model, STAMP))  # type: ignore[arg-type]
    lines = text.splitlines()
    assert "What happened *" in lines
    assert "Short title" in lines
    assert "\u2610\u00a0Critical" in lines
    assert "\u2610\u00a0Phishing and social engineering" in lines
    assert "\u2610\u00a0Yes" in lines
    assert "Tick every box that applies." in lines
    assert "Describe what you saw, in your own words & without guessing." in lines
    assert "A number from 0 to 100000." in lines
    assert "Forms & Co <Test>\tFORM_EVENT \u00b7 INTERNAL" in lines


def test_tick_box_keeps_to_its_label(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("forms")
    path = project / "needs/forms.yaml"
    text = path.read_text(encoding="utf-8")
    assert "{name: action_by, label: By, type: person}" in text
    path.write_text(text.replace(
        "{name: action_by, label: By, type: person}",
        "{name: action_by, label: By, type: person}\n"
        "          - {name: action_done, label: Done, type: yes-no}"), encoding="utf-8")
    model = _load(project)
    data = render_form(model.needs["FORM_EVENT"], model, STAMP)  # type: ignore[arg-type]
    document = docx.Document(io.BytesIO(data))
    log = next(t for t in document.tables if t.rows[0].cells[0].text.startswith("When"))
    assert log.rows[1].cells[3].text == "\u2610\u00a0Yes  \u2610\u00a0No  "
    boxes = [line for line in _docx_text(data).splitlines() if line.startswith("\u2610")]
    assert len(boxes) > 10
    assert all(line[1] == "\u00a0" for line in boxes), boxes


def test_docx_repeating_sections_print_blank_entries() -> None:
    model = _load(REPOSITORY / "tests/roots/test-forms")
    document = docx.Document(io.BytesIO(render_form(
        model.needs["FORM_EVENT"], model, STAMP)))  # type: ignore[arg-type]
    log = next(t for t in document.tables if t.rows[0].cells[0].text.startswith("When"))
    assert [c.text for c in log.rows[0].cells] == ["When *", "Action *", "By"]
    assert len(log.rows) == 13  # header and twelve blank rows
    assert all(cell.text == "" for row in log.rows[1:] for cell in row.cells)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == ["Entry 1", "Entry 2", "Entry 3"]


def test_docx_marks_version_and_classification(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("forms")
    (project / "needs/documents.yaml").write_text(
        "documents:\n"
        "  - {id: DOC-1, kind: plan, title: Plan, version: '1.10', status: draft, owner: Ana,\n"
        "     classification: 'CONFIDENTIAL <b> & {{ x }}'}\n", encoding="utf-8")
    path = project / "needs/forms.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('    title: "Event report"\n',
                                 '    title: "Event report"\n    document: DOC-1\n'),
                    encoding="utf-8")
    model = _load(project)
    form = model.needs["FORM_EVENT"]
    assert isinstance(form, Form)

    context = form_context(form, model)
    assert context["form"]["document"] == "DOC-1"
    assert context["form"]["version"] == "1.10"
    assert context["form"]["classification"] == "CONFIDENTIAL <b> & {{ x }}"
    document = docx.Document(io.BytesIO(render_form(form, model, STAMP)))
    header = document.sections[0].header.paragraphs[0].text
    footer = document.sections[0].footer.paragraphs[0].text
    assert header == ("Forms & Co <Test>\tFORM_EVENT \u00b7 DOC-1 version 1.10 \u00b7 "
                      "CONFIDENTIAL <b> & {{ x }}")
    assert footer.startswith("CONFIDENTIAL <b> & {{ x }} \u2014 FORM_EVENT Event report (DRAFT)")
    properties = document.core_properties
    assert properties.version == "1.10"
    assert properties.category == "CONFIDENTIAL <b> & {{ x }}"
    assert properties.content_status == "Draft"


def test_form_of_no_document_is_internal() -> None:
    model = _load(REPOSITORY / "tests/roots/test-forms")
    form = model.needs["FORM_EVENT"]
    assert isinstance(form, Form)
    assert form_context(form, model)["form"]["version"] == ""
    document = docx.Document(io.BytesIO(render_form(form, model, STAMP)))
    assert document.sections[0].header.paragraphs[0].text == \
        "Forms & Co <Test>\tFORM_EVENT \u00b7 INTERNAL"
    assert document.sections[0].footer.paragraphs[0].text.startswith(
        "INTERNAL \u2014 FORM_EVENT Event report \u2014 page")


def test_signing_person_gets_signature_lines(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("forms")
    path = project / "needs/forms.yaml"
    text = path.read_text(encoding="utf-8")
    assert "{name: action_by, label: By, type: person}" in text
    path.write_text(text.replace("{name: action_by, label: By, type: person}",
                                 "{name: action_by, label: By, type: person, signature: true}"),
                    encoding="utf-8")
    model = _load(project)
    form = model.needs["FORM_EVENT"]
    assert isinstance(form, Form)

    document = docx.Document(io.BytesIO(render_form(form, model, STAMP)))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == ["Entry 1", "Entry 2", "Entry 3"] * 2  # the log became blocks
    lines = _docx_text(render_form(form, model, STAMP)).splitlines()
    assert lines.count("Signature:") == 3
    start = lines.index("Signature:")
    assert lines[start - 1:start + 3] == ["Name:", "Signature:", "Date:",
                                          "Role and organization:"]
    assert "Signature:" not in lines[:lines.index("Actions log")]  # the reporter signs nothing

    assert "Person (name, role, organization, email, phone), who signs and dates the printed " \
        "form" in need_markup(form, model).replace("\\", "")  # drop Markdown escapes
    report = blank_report(form, model)
    assert "(optional; person: name, and optionally role, organization, email and phone; " \
        "signs and dates the printed form)" in report
    assert '# When (required; date and time with time zone, in quotes, e.g. ' \
        '"2026-03-31T14:30:00Z")' in report


def test_evidence_record_custody_is_signed() -> None:
    model = _load(REPOSITORY)
    form = model.needs["FORM_EVIDENCE_RECORD"]
    assert isinstance(form, Form)
    custody = next(s for s in form.sections if s.name == "custody")
    signing = [item.name for item in custody.fields if item.signature]
    assert signing == ["released_by", "received_by"]
    lines = _docx_text(render_form(form, model, STAMP)).splitlines()
    assert lines.count("Signature:") == 2 * 3  # two people in each of three entry blocks
    assert lines.count("Date:") == 2 * 3


def test_outputs_are_byte_identical(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("forms")
    first = run_cli("forms", "--project", str(project), "--out", str(project / "a"))
    second = run_cli("forms", "--project", str(project), "--out", str(project / "b"))
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    names = sorted(p.relative_to(project / "a").as_posix()
                   for p in (project / "a").rglob("*") if p.is_file())
    assert "forms/FORM_EVENT.docx" in names
    assert "forms/schemas/FORM_EVENT.schema.json" in names
    assert "forms/reports/FORM_EVENT.yaml" in names
    for name in names:
        assert (project / "a" / name).read_bytes() == (project / "b" / name).read_bytes(), name


def test_forms_command_removes_files_of_removed_forms(copy_root: Callable[[str], Path]
                                                      ) -> None:
    project = copy_root("forms")
    assert run_cli("forms", "--project", str(project)).returncode == 0
    path = project / "needs/forms.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("FORM_EVENT", "FORM_EVENT_2"),
                    encoding="utf-8")
    result = run_cli("forms", "--project", str(project))
    assert result.returncode == 0, result.stderr
    assert (project / "_build/forms/FORM_EVENT_2.docx").is_file()
    assert not (project / "_build/forms/FORM_EVENT.docx").exists()
    assert not (project / "_build/forms/schemas/FORM_EVENT.schema.json").exists()


# -- choices follow the scale -------------------------------------------------------

def test_choices_follow_the_scale(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("forms")
    path = project / "needs/scales.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('{value: "4", label: Low}',
                        '{value: "4", label: Minor}\n      - {value: "5", label: Negligible}')
    path.write_text(text, encoding="utf-8")
    model = _load(project)
    form = model.needs["FORM_EVENT"]
    assert isinstance(form, Form)

    lines = _docx_text(render_form(form, model, STAMP)).splitlines()
    assert "\u2610\u00a0Negligible" in lines
    assert "\u2610\u00a0Minor" in lines
    assert "\u2610\u00a0Low" not in lines

    severity = form_schema(form, model)["properties"]["severity"]
    assert [o["const"] for o in severity["oneOf"]] == ["1", "2", "3", "4", "5"]
    assert [o["title"] for o in severity["oneOf"]][-2:] == ["Minor", "Negligible"]

    page = need_markup(form, model)
    assert "Negligible (`5`)" in page
    assert "Low (`4`)" not in page

    assert _check(model, "FORM_EVENT", COMPLETE_REPORT.replace('severity: "2"', 'severity: "5"'),
                  tmp_path=project) == []


# -- validate-report ------------------------------------------------------------------

def test_complete_report_exits_0(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("forms")
    (project / "report.yaml").write_text(COMPLETE_REPORT, encoding="utf-8")
    result = run_cli("validate-report", "FORM_EVENT", str(project / "report.yaml"),
                     "--project", str(project))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "complete; every answer meets form FORM_EVENT (Event report)" in result.stdout


def test_complete_json_report_exits_0(copy_root: Callable[[str], Path]) -> None:
    import yaml

    project = copy_root("forms")
    data = yaml.safe_load(COMPLETE_REPORT)
    data["reported_at"] = "2026-03-01T14:30:00+01:00"
    data["noticed_on"] = "2026-03-01"
    data["actions"][0]["action_at"] = "2026-03-01T14:35:00Z"
    (project / "report.json").write_text(json.dumps(data), encoding="utf-8")
    result = run_cli("validate-report", "FORM_EVENT", str(project / "report.json"),
                     "--project", str(project))
    assert result.returncode == 0, result.stdout + result.stderr


DEFECTS = [
    # (name, replacement of a line of the complete report, expected finding line)
    ("missing required", ("description: A strange e-mail asked for my password.\n", ""),
     r"report\.yaml:1: error: What happened \(description\) is required but missing "
     r"\[iso27035\.missing-field\]"),
    ("empty required", ("description: A strange e-mail asked for my password.",
                        "description:"),
     r"report\.yaml:3: error: What happened \(description\) is required but empty"),
    ("blank text", ("description: A strange e-mail asked for my password.",
                    'description: "   "'),
     r"report\.yaml:3: error: What happened \(description\) is required but empty"),
    ("wrong type number", ("users_affected: 3", "users_affected: three"),
     r"report\.yaml:7: error: Users affected \(users_affected\) must be a number, not the "
     r"text 'three' \[iso27035\.wrong-type\]"),
    ("wrong type text", ("description: A strange e-mail asked for my password.",
                         "description: 42"),
     r"What happened \(description\) must be text, not the number 42"),
    ("text read as a number", ("description: A strange e-mail asked for my password.",
                               "description: 14:30"),
     r"What happened \(description\) must be text, not the number 870 \(YAML reads "
     r"'14:30' as a number\)"),
    ("text read as yes-or-no", ("description: A strange e-mail asked for my password.",
                                "description: yes"),
     r"must be text, not the yes-or-no value true \(YAML reads 'yes' as a yes-or-no value\)"),
    ("wrong type yes-no", ("ongoing: no", "ongoing: maybe"),
     r"Still ongoing \(ongoing\) must be yes or no.*\n    hint: answer true or false, "
     r"without quotes"),
    ("wrong type person", ("reporter: {name: Ana Silva, email: ana@example.org, phone: "
                           '"+351 555 0100"}', "reporter: Ana Silva"),
     r"Reporter \(reporter\) must be a person.*\n    hint: write e\.g\. "
     r"\{name: \"Ana Silva\", email: \.\.\., phone: \.\.\.\}"),
    ("invalid choice", ("tlp: TLP:AMBER", "tlp: amber"),
     r"report\.yaml:9: error: Sharing label \(tlp\) is 'amber', which is not one of its "
     r"choices \[iso27035\.invalid-value\]\n    hint: did you mean 'TLP:AMBER'\?"),
    ("invalid multi-choice", ("channels: [e-mail, phone]", "channels: [e-mail, fax]"),
     r"How was it noticed \(channels\) is 'fax', which is not one of its choices"),
    ("choice as number", ('severity: "2"', "severity: 2"),
     r"Severity \(severity\) must be one of its choices, as text, not the number 2 "
     r"\[iso27035\.wrong-type\]\n"
     r"    hint: write the value '2' in quotes"),
    ("invalid date", ("noticed_on: 2026-03-01", "noticed_on: 2026-02-30"),
     r"report\.yaml:8: error: Noticed on \(noticed_on\) is '2026-02-30', which is not a "
     r"valid date in the form YYYY-MM-DD \[iso27035\.invalid-date\]"),
    ("date-time without zone", ("reported_at: 2026-03-01T14:30:00+01:00",
                                "reported_at: 2026-03-01 14:30"),
     r"Reported at \(reported_at\) is '2026-03-01 14:30', which is not a valid date and "
     r"time in the form YYYY-MM-DDThh:mm:ss with a time zone \[iso27035\.invalid-date\]\n"
     r"    hint: write it with a T in place of the space, the seconds and a time zone, e\.g\. "
     r"2026-03-01T14:30:00Z \(UTC\) or 2026-03-01T14:30:00\+01:00"),
    ("invalid date-time", ("action_at: 2026-03-01T14:35:00Z", "action_at: 2026-03-01T24:35:00Z"),
     r"report\.yaml:11: error: entry 1 of Actions log: When \(action_at\) is "
     r"'2026-03-01T24:35:00Z', which is not a valid date and time"),
    ("below minimum", ("users_affected: 3", "users_affected: -1"),
     r"Users affected \(users_affected\) is -1, below the minimum of 0"),
    ("unknown field", ("tlp: TLP:AMBER", "tlp: TLP:AMBER\nsevrity: high"),
     r"report\.yaml:10: error: the report has the key 'sevrity', which the form FORM_EVENT "
     r"does not define \[iso27035\.unknown-field\]\n    hint: did you mean 'severity' "
     r"\(Severity\)\?"),
    ("unknown field in entry", ("    asset_categories: [personal data]",
                                "    asset_categories: [personal data]\n    owner: IT"),
     r"entry 1 of Affected assets \(assets\) has the key 'owner'"),
    ("repeating section not a list", ("assets:\n  - asset: Mailbox of Ana\n"
                                      "    asset_categories: [personal data]",
                                      "assets: Mailbox of Ana"),
     r"report\.yaml:12: error: Affected assets \(assets\) must be a list of entries, not the "
     r"text 'Mailbox of Ana' \[iso27035\.wrong-type\]"),
    ("entry not a mapping", ("  - {action_at: 2026-03-01T14:35:00Z, action: Reported to the "
                             "service desk}", "  - Reported to the service desk"),
     r"entry 1 of Actions log \(actions\) must be a mapping of the entry's fields"),
    ("required section empty", ("assets:\n  - asset: Mailbox of Ana\n"
                                "    asset_categories: [personal data]", "assets: []"),
     r"Affected assets \(assets\) needs at least one entry"),
    ("required field of entry", (", action: Reported to the service desk}", "}"),
     r"entry 1 of Actions log: Action \(action\) is required but missing"),
    ("duplicate choice", ("channels: [e-mail, phone]", "channels: [e-mail, e-mail]"),
     r"How was it noticed \(channels\) lists 'e-mail' twice"),
    ("invalid email", ("email: ana@example.org", "email: ana at example"),
     r"Reporter \(reporter\), email is 'ana at example', which is not an e-mail address"),
]


@pytest.mark.parametrize(("name", "edit", "expected"), DEFECTS, ids=[d[0] for d in DEFECTS])
def test_defect_reported_by_field(copy_root: Callable[[str], Path], name: str,
                                  edit: tuple[str, str], expected: str) -> None:
    project = copy_root("forms")
    assert edit[0] in COMPLETE_REPORT, name
    (project / "report.yaml").write_text(COMPLETE_REPORT.replace(*edit), encoding="utf-8")
    result = run_cli("validate-report", "FORM_EVENT", str(project / "report.yaml"),
                     "--project", str(project))
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(expected, result.stdout), result.stdout
    assert "1 answer(s) missing or invalid for form FORM_EVENT" in result.stdout
    assert "Traceback" not in result.stderr


def test_json_date_time_with_space_shows_format(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("forms")
    report = {"reporter": {"name": "Ana Silva"}, "reported_at": "2026-03-01 10:00",
              "description": "A strange e-mail.", "severity": "2", "ongoing": False,
              "assets": [{"asset": "Mailbox of Ana"}]}
    (project / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    result = run_cli("validate-report", "FORM_EVENT", str(project / "report.json"),
                     "--project", str(project))
    assert result.returncode == 1, result.stdout + result.stderr
    assert ("report.json: error: Reported at (reported_at) is '2026-03-01 10:00', which is "
            "not a valid date and time in the form YYYY-MM-DDThh:mm:ss with a time zone "
            "[iso27035.invalid-date]") in result.stdout
    assert ("hint: write it with a T in place of the space, the seconds and a time zone, "
            "e.g. 2026-03-01T10:00:00Z (UTC) or 2026-03-01T10:00:00+01:00") in result.stdout


@pytest.mark.parametrize(("value", "hint"), [
    ("2026-03-01 10:00:00", "write it with a T in place of the space and a time zone, e.g. "
     "2026-03-01T10:00:00Z (UTC) or 2026-03-01T10:00:00+01:00"),
    ("2026-03-01T9:30Z", "write it with the seconds, e.g. 2026-03-01T09:30:00Z"),
    ("2026-03-01 10:00 UTC", "write it with a T in place of the space and the seconds, "
     "e.g. 2026-03-01T10:00:00Z"),
    ("2026-03-01T10:00:00 +0100", "write it as 2026-03-01T10:00:00+01:00"),
    ("2026-03-01T24:00:00Z", "write the date and time with seconds and a time zone, e.g. "
     "2026-03-31T14:30:00Z (UTC) or 2026-03-31T14:30:00+01:00"),
    ("yesterday", "write the date and time with seconds and a time zone, e.g. "
     "2026-03-31T14:30:00Z (UTC) or 2026-03-31T14:30:00+01:00"),
])
def test_date_time_hint_rewrites_value(tmp_path: Path, value: str, hint: str) -> None:
    model = _load(REPOSITORY / "tests/roots/test-forms")
    problems = _check(model, "FORM_EVENT", COMPLETE_REPORT.replace(
        "reported_at: 2026-03-01T14:30:00+01:00", f"reported_at: {json.dumps(value)}"),
        tmp_path=tmp_path)
    assert [p.kind for p in problems] == ["invalid-date"]
    assert problems[0].hint == hint
    if "e.g. 2026-03-01" in hint:  # an example built from the value is itself valid
        example = hint.split("e.g. ")[1].split(" ")[0]
        assert _check(model, "FORM_EVENT", COMPLETE_REPORT.replace(
            "2026-03-01T14:30:00+01:00", example), tmp_path=tmp_path) == []


def test_missing_and_unknown_keys_both_reported(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("forms")
    (project / "report.yaml").write_text(COMPLETE_REPORT.replace(
        "action: Reported to the service desk", "by: {name: x}"), encoding="utf-8")
    result = run_cli("validate-report", "FORM_EVENT", str(project / "report.yaml"),
                     "--project", str(project))
    assert result.returncode == 1
    assert "has the key 'by', which the form FORM_EVENT does not define" in result.stdout
    assert "entry 1 of Actions log: Action (action) is required but missing" in result.stdout
    assert "2 answer(s) missing or invalid" in result.stdout


def test_findings_follow_form_order(tmp_path: Path) -> None:
    model = _load(REPOSITORY / "tests/roots/test-forms")
    problems = _check(model, "FORM_EVENT", "assets: []\nongoing: maybe\n", tmp_path=tmp_path)
    names = [re.search(r"\((\w+)\)", p.message).group(1) for p in problems]  # type: ignore[union-attr]
    assert names == ["reporter", "reported_at", "description", "severity", "ongoing", "assets"]


def test_empty_report_lists_every_required_field(tmp_path: Path) -> None:
    model = _load(REPOSITORY / "tests/roots/test-forms")
    problems = _check(model, "FORM_EVENT", "", tmp_path=tmp_path)
    assert [p.kind for p in problems] == ["missing-field"] * 6


def test_report_not_a_mapping(tmp_path: Path) -> None:
    model = _load(REPOSITORY / "tests/roots/test-forms")
    problems = _check(model, "FORM_EVENT", "- a\n- b\n", tmp_path=tmp_path)
    assert len(problems) == 1
    assert problems[0].message == "the report must be a mapping of field names to answers, " \
                                  "not a list"


def test_markup_and_template_text_kept_literally(tmp_path: Path) -> None:
    model = _load(REPOSITORY / "tests/roots/test-forms")
    hostile = COMPLETE_REPORT.replace(
        "description: A strange e-mail asked for my password.",
        "description: \"<script>alert(1)</script> {{ organization }} {% if x %} \u6f22\u5b57 "
        "\u0627\u0644\u0639\u0631\u0628\u064a\u0629\"")
    assert _check(model, "FORM_EVENT", hostile, tmp_path=tmp_path) == []


def test_long_log_is_checked_quickly(tmp_path: Path) -> None:
    model = _load(REPOSITORY / "tests/roots/test-forms")
    entries = "".join(f"  - {{action_at: 2026-03-01T14:{n % 60:02d}:00Z, action: step {n}}}\n"
                      for n in range(1000))
    text = COMPLETE_REPORT.replace(
        "actions:\n  - {action_at: 2026-03-01T14:35:00Z, action: Reported to the service desk}\n",
        "actions:\n" + entries + "  - {action_at: 2026-03-01T14:00:00Z}\n")
    problems = _check(model, "FORM_EVENT", text, tmp_path=tmp_path)
    assert [p.message for p in problems] == [
        "entry 1001 of Actions log: Action (action) is required but missing"]


@pytest.mark.parametrize(("text", "message"), [
    ("a: !!python/object:os.system x\n", "YAML tag '!!python/object:os.system' is not allowed"
     " [iso27035.unsafe-tag]\n    hint: remove the tag; reports hold plain text, numbers, "
     "dates, lists and mappings only"),
    ("a: &x [1]\nb: *x\n", "YAML anchors and aliases are not supported in reports "
     "[iso27035.alias]\n    hint: write the value out in each place that uses it"),
    ("a: [\n", "invalid YAML"),
    ("a: 1\na: 2\n", "key 'a' appears twice"),
])
def test_unsafe_or_broken_yaml_exits_2(copy_root: Callable[[str], Path], text: str,
                                       message: str) -> None:
    project = copy_root("forms")
    (project / "report.yaml").write_text(text, encoding="utf-8")
    result = run_cli("validate-report", "FORM_EVENT", str(project / "report.yaml"),
                     "--project", str(project))
    assert result.returncode == 2
    assert message in result.stderr
    assert "report.yaml; fix the report file as shown above and run again" in \
        result.stderr
    assert "need file" not in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_oversized_report_exits_2(copy_root: Callable[[str], Path], suffix: str) -> None:
    project = copy_root("forms")
    path = project / f"report{suffix}"
    with path.open("wb") as file:
        file.truncate(6 * 1024 * 1024)
    result = run_cli("validate-report", "FORM_EVENT", str(path), "--project", str(project))
    assert result.returncode == 2
    assert "the limit for a report is 5,242,880 bytes [iso27035.file-too-large]" in \
        result.stderr
    assert "hint: check that this is the filled report" in result.stderr
    assert "need" not in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("text", "message"), [
    ('{"a": 1, "a": 2}', "key 'a' appears twice"),
    ('{"users_affected": NaN}', "NaN is not a JSON number"),
    ('{"a": ', "invalid JSON"),
    ("[" * 100000, "nests deeper than"),
])
def test_broken_json_exits_2(copy_root: Callable[[str], Path], text: str, message: str
                             ) -> None:
    project = copy_root("forms")
    (project / "report.json").write_text(text, encoding="utf-8")
    result = run_cli("validate-report", "FORM_EVENT", str(project / "report.json"),
                     "--project", str(project))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_deeply_nested_yaml_exits_2(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("forms")
    (project / "report.yaml").write_text("a: " + "[" * 5000 + "]" * 5000 + "\n",
                                         encoding="utf-8")
    result = run_cli("validate-report", "FORM_EVENT", str(project / "report.yaml"),
                     "--project", str(project))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_missing_report_exits_2(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("forms")
    result = run_cli("validate-report", "FORM_EVENT", str(project / "nowhere.yaml"),
                     "--project", str(project))
    assert result.returncode == 2
    assert "nowhere.yaml does not exist; give the path of the filled report file" in \
        result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_form_exits_2(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("forms")
    (project / "report.yaml").write_text(COMPLETE_REPORT, encoding="utf-8")
    result = run_cli("validate-report", "FORM_EVNT", str(project / "report.yaml"),
                     "--project", str(project))
    assert result.returncode == 2
    assert "no form with id 'FORM_EVNT' in the project; did you mean FORM_EVENT?" in \
        result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_form_lists_forms_sorted(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("forms")
    section = "sections: [{title: Only, fields: [{name: note, label: Note, type: text}]}]"
    (project / "needs/more.yaml").write_text(
        "needs:\n"
        f"  - {{id: FORM_ZETA, type: form, title: Zeta, {section}}}\n"
        f"  - {{id: FORM_ALPHA, type: form, title: Alpha, {section}}}\n", encoding="utf-8")
    (project / "report.yaml").write_text(COMPLETE_REPORT, encoding="utf-8")
    result = run_cli("validate-report", "XYZ", str(project / "report.yaml"),
                     "--project", str(project))
    assert result.returncode == 2
    assert result.stderr == ("iso27035: no form with id 'XYZ' in the project; the forms of "
                             "the project are: FORM_ALPHA, FORM_EVENT, FORM_ZETA\n")


def test_need_id_that_is_not_a_form(tmp_path: Path) -> None:
    (tmp_path / "report.yaml").write_text(COMPLETE_REPORT, encoding="utf-8")
    result = run_cli("validate-report", "REQ_P1_5_3_1", str(tmp_path / "report.yaml"),
                     "--project", str(REPOSITORY))
    assert result.returncode == 2
    assert "iso27035: 'REQ_P1_5_3_1' is a requirement in the project, not a form; the forms " \
        "of the project are: FORM_" in result.stderr


# -- form definitions, templates and the build ----------------------------------------

@pytest.mark.parametrize(("edit", "message"), [
    (("name: actions\n", "name: 1actions\n"), "has the key '1actions', which is not "
     "lower_snake_case"),
    (("name: actions\n", "name: asset\n"), "has the key 'asset', which another field"),
    (("minimum: 0,", "minimum: 200000,"), "has minimum 200000 above maximum 100000"),
    (("label: Short title, type: text}", "label: Short title, type: text, minimum: 1}"),
     "field 'summary' of type text cannot have 'minimum'"),
    (("      - title: Reporter\n", "      - title: Reporter\n        required: true\n"),
     "section 'Reporter' is 'required' but not repeating"),
    (("label: Short title, type: text}", "label: Short title, type: text, signature: true}"),
     "field 'summary' of type text cannot have 'signature'"),
])
def test_invalid_form_definition_exits_2(copy_root: Callable[[str], Path],
                                         edit: tuple[str, str], message: str) -> None:
    project = copy_root("forms")
    path = project / "needs/forms.yaml"
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(*edit, 1), encoding="utf-8")
    result = run_cli("forms", "--project", str(project))
    assert result.returncode == 2
    assert re.search(r"forms\.yaml:\d+: error: form FORM_EVENT .*" + re.escape(message),
                     result.stderr), result.stderr


def test_special_characters_in_form_render(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("forms")
    path = project / "needs/forms.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "label: Short title,", 'label: "Title <b> & {{ form.id }} \u00e9\u00e8 \u6f22\u5b57",')
    path.write_text(text, encoding="utf-8")
    model = _load(project)
    data = render_form(model.needs["FORM_EVENT"], model, STAMP)  # type: ignore[arg-type]
    assert "Title <b> & {{ form.id }} \u00e9\u00e8 \u6f22\u5b57" in _docx_text(data).splitlines()


def test_project_template_overrides_bundled(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("forms")
    folder = project / "templates/forms"
    folder.mkdir(parents=True)
    own = docx.Document()
    own.add_paragraph("Own layout: {{ form.title }} of {{ organization }}")
    own.save(str(folder / "form_tpl.docx"))
    model = _load(project)
    text = _docx_text(render_form(model.needs["FORM_EVENT"], model, STAMP))  # type: ignore[arg-type]
    assert "Own layout: Event report of Forms & Co <Test>" in text


def test_broken_template_exits_2(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("forms")
    folder = project / "templates/forms"
    folder.mkdir(parents=True)
    own = docx.Document()
    own.add_paragraph("{{ form.title }} {{ no_such_variable }}")
    own.save(str(folder / "form_tpl.docx"))
    result = run_cli("forms", "--project", str(project))
    assert result.returncode == 2
    assert "form FORM_EVENT: Word template" in result.stderr
    assert "'no_such_variable'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "_build/forms").exists()


def test_bundled_template_is_current(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    script = REPOSITORY / "templates/forms/make_templates.py"
    result = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True,
                            text=True, timeout=120, check=False, env=environment)
    assert result.returncode == 0, result.stderr
    written = (tmp_path / "form_tpl.docx").read_bytes()
    assert written == (REPOSITORY / "templates/forms/form_tpl.docx").read_bytes(), \
        "form_tpl.docx differs from what make_templates.py writes; run the script"


def test_template_variables_documented() -> None:
    model = _load(REPOSITORY / "tests/roots/test-forms")
    context = form_context(model.needs["FORM_EVENT"], model)  # type: ignore[arg-type]
    docs = (REPOSITORY / "docs/forms.md").read_text(encoding="utf-8")
    names = [*context, *(f"form.{key}" for key in context["form"])]
    for section in context["sections"]:
        names += [f"section.{key}" for key in section]
        for item in section["fields"]:
            names += [f"field.{key}" for key in item]
    for name in sorted(set(names)):
        assert f"| `{name}` |" in docs, f"{name} is missing from docs/forms.md"


def test_schema_file_is_stable_json() -> None:
    model = _load(REPOSITORY / "tests/roots/test-forms")
    form = model.needs["FORM_EVENT"]
    assert isinstance(form, Form)
    data = schema_json(form_schema(form, model))
    schema = json.loads(data)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["reporter", "reported_at", "description", "severity",
                                  "ongoing", "assets"]
    assert schema["additionalProperties"] is False
    assert data.endswith(b"}\n")


# Values of date, date-time and e-mail answers, and whether the schema alone accepts them.
FORMATTED_ANSWERS = [
    (("reported_at",), "2026-03-01T14:30:00+01:00", True),
    (("reported_at",), "2026-03-01T14:30:00.25z", True),
    (("reported_at",), "yesterday", False),
    (("reported_at",), "2026-03-01 14:30", False),
    (("reported_at",), "2026-03-01T14:30", False),
    (("reported_at",), "2026-03-01T14:30:00", False),
    (("reported_at",), "2026-03-01T24:30:00Z", False),
    (("reported_at",), "2026-03-01T14:30:00+01:60", False),
    (("reported_at",), "\u0662\u0660\u0662\u0666-03-01T14:30:00Z", False),
    (("noticed_on",), "2026-03-01", True),
    (("noticed_on",), "yesterday", False),
    (("noticed_on",), "2026-3-1", False),
    (("noticed_on",), "2026-13-01", False),
    (("actions", 0, "action_at"), "2026-03-01T14:35:00Z", True),
    (("actions", 0, "action_at"), "01/03/2026 14:35", False),
    (("reporter", "email"), "ana@example.org", True),
    (("reporter", "email"), "ana at example", False),
]


@pytest.mark.parametrize(("path", "value", "valid"), FORMATTED_ANSWERS,
                         ids=[f"{c[0][-1]}={c[1]}" for c in FORMATTED_ANSWERS])
def test_schema_alone_checks_formats(tmp_path: Path, path: tuple[str | int, ...], value: str,
                                     valid: bool) -> None:
    import jsonschema_rs  # installed with sphinx-needs; a validator of another engine

    model = _load(REPOSITORY / "tests/roots/test-forms")
    form = model.needs["FORM_EVENT"]
    assert isinstance(form, Form)
    schema = form_schema(form, model)
    (tmp_path / "report.yaml").write_text(COMPLETE_REPORT, encoding="utf-8")
    report, _ = read_report(tmp_path / "report.yaml")
    assert report is not None
    parent = report.data
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value

    # without a format checker, "format" is an annotation, the default of draft 2020-12
    assert Draft202012Validator(schema).is_valid(report.data) is valid
    assert jsonschema_rs.Draft202012Validator(schema).is_valid(report.data) is valid
    assert (check_report(form, model, report) == []) is valid


def test_schema_needs_quoted_yaml_dates(tmp_path: Path) -> None:
    import yaml

    model = _load(REPOSITORY / "tests/roots/test-forms")
    form = model.needs["FORM_EVENT"]
    assert isinstance(form, Form)
    validator = Draft202012Validator(form_schema(form, model))
    quoted = re.sub(r"(\d{4}-\d{2}-\d{2}[^,}\n]*)", r'"\1"', COMPLETE_REPORT)
    assert 'reported_at: "2026-03-01T14:30:00+01:00"' in quoted

    # PyYAML reads unquoted dates as date and datetime objects, which the schema rejects
    assert not validator.is_valid(yaml.safe_load(COMPLETE_REPORT))
    assert validator.is_valid(yaml.safe_load(quoted))
    assert _check(model, "FORM_EVENT", COMPLETE_REPORT, tmp_path=tmp_path) == []
    assert _check(model, "FORM_EVENT", quoted, tmp_path=tmp_path) == []


def test_impossible_date_fits_pattern_but_fails_check(tmp_path: Path) -> None:
    model = _load(REPOSITORY / "tests/roots/test-forms")
    form = model.needs["FORM_EVENT"]
    assert isinstance(form, Form)
    (tmp_path / "report.yaml").write_text(
        COMPLETE_REPORT.replace("noticed_on: 2026-03-01", "noticed_on: 2026-02-30"),
        encoding="utf-8")
    report, _ = read_report(tmp_path / "report.yaml")
    assert report is not None
    assert Draft202012Validator(form_schema(form, model)).is_valid(report.data)
    assert [p.kind for p in check_report(form, model, report)] == ["invalid-date"]


def test_build_writes_forms(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("forms")
    result = run_cli("build", "--project", str(project), "--out", str(project / "out"))
    assert result.returncode == 0, result.stderr
    assert (project / "out/forms/FORM_EVENT.docx").is_file()
    assert (project / "out/forms/schemas/FORM_EVENT.schema.json").is_file()
    assert "Forms:  1 Word form(s) in" in result.stdout
    page = (project / "out/html/_generated/forms/form-event.html").read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", "", page).split())
    assert "iso27035 validate-report FORM_EVENT report.yaml --project DIR" in text
    assert "both in quotes in YAML" in text
    blank = (project / "out/forms/reports/FORM_EVENT.yaml").read_text(encoding="utf-8")
    assert "#   iso27035 validate-report --project DIR FORM_EVENT FILE\n" in blank


def test_readme_gives_validate_report_options() -> None:
    result = run_cli("validate-report", "--help")
    assert result.returncode == 0, result.stderr
    options = sorted(set(re.findall(r"^\s+(--[a-z-]+)", result.stdout, re.MULTILINE))
                     - {"--help"})
    assert "--project" in options
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines()
               if line.startswith("| `iso27035 validate-report"))
    for option in options:
        assert f"[{option} " in row.split("|")[1], (option, row)


def test_report_location_falls_back_to_parent(tmp_path: Path) -> None:
    report = Report(tmp_path / "r.yaml", {}, {(): 1, ("actions",): 4})
    assert report.location(("actions", 3, "action")).line == 4
    assert report.location(("other",)).line == 1
