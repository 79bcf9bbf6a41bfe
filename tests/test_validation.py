"""Validation rules: each has a failing case (kind and line) and the base project passes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generators.loading.project import load_project
from generators.loading.yaml_source import read_yaml_file
from generators.resources import bundled_dir

BASE = """\
sources:
  - name: Standard
    title: Test standard
    clauses:
      - {clause: "4.1", title: Policy, confidence: confirmed, guidance: true}
documents:
  - id: D-1
    kind: policy
    title: Policy
    version: "1.0"
    status: draft
    owner: Owner
    classification: INTERNAL
    sections:
      - {id: scope, title: Scope}
scales:
  - id: severity
    title: Severity
    levels:
      - {value: high, label: High}
needs:
  - id: REQ_A
    type: req
    source: Standard
    clause: "4.1"
    title: Keep a policy
    phase: plan-prepare
    artifacts: [pol]
  - id: ROLE_A
    type: role
    kind: role
    title: Coordinator
  - id: POL_A
    type: pol
    title: Scope statement
    document: D-1
    section: scope
    satisfies: [REQ_A]
"""

# (name, text of needs/case.yaml, expected kind, expected line)
CASES = [
    ("yaml syntax", "needs:\n  - id: POL_X\n    title: [unclosed\n", "yaml-syntax", 4),
    ("tab indentation", "needs:\n\t- id: POL_X\n", "tab", 2),
    ("duplicate key", "needs:\n  - id: POL_X\n    id: POL_Y\n", "duplicate-key", 3),
    ("alias", "a: &x [1]\nneeds: *x\n", "alias", 1),
    ("python tag", "needs: !!python/object:os.system {}\n", "unsafe-tag", 1),
    ("unknown top-level key", "need:\n  - id: POL_X\n", "unknown-field", 1),
    ("unknown field", """\
needs:
  - id: POL_X
    type: pol
    title: T
    document: D-1
    section: scope
    satisfy: [REQ_A]
""", "unknown-field", 7),
    ("missing field", "needs:\n  - id: POL_X\n    type: pol\n    title: T\n    document: D-1\n",
     "missing-field", 2),
    ("missing type", "needs:\n  - id: POL_X\n    title: T\n", "missing-field", 2),
    ("wrong type", """\
needs:
  - id: REQ_X
    type: req
    source: Standard
    clause: "4.1"
    title: T
    phase: plan-prepare
    artifacts: pol
""", "wrong-type", 8),
    ("invalid choice", """\
needs:
  - id: REQ_X
    type: req
    source: Standard
    clause: "4.1"
    title: T
    phase: planning
    artifacts: [pol]
""", "invalid-value", 7),
    ("invalid date", """\
needs:
  - id: EVID_X
    type: evid
    title: T
    group: process-design
    last_reviewed: 2026-02-30
""", "invalid-date", 6),
    ("bad duration", """\
needs:
  - id: EVID_X
    type: evid
    title: T
    group: process-design
    review_interval: yearly
""", "invalid-value", 6),
    ("duplicate id across files", """\
needs:
  - id: ROLE_A
    type: role
    kind: team
    title: Another
""", "duplicate-id", 2),
    ("id rule", "needs:\n  - id: POL_lower\n    type: pol\n    title: T\n    document: D-1\n"
     "    section: scope\n", "id-rule", 2),
    ("id prefix", "needs:\n  - id: PROC_X\n    type: pol\n    title: T\n    document: D-1\n"
     "    section: scope\n", "id-rule", 2),
    ("unknown link", "needs:\n  - id: POL_X\n    type: pol\n    title: T\n    document: D-1\n"
     "    section: scope\n    satisfies: [REQ_B]\n", "unknown-link", 7),
    ("unknown link in a block list", "needs:\n  - id: POL_X\n    type: pol\n    title: T\n"
     "    document: D-1\n    section: scope\n    satisfies:\n      - REQ_A\n      - REQ_B\n",
     "unknown-link", 9),
    ("escalation to a non-role", """\
scales:
  - id: priority
    title: Priority
    levels:
      - {value: p1, label: P1, escalate_to: POL_A}
""", "unknown-reference", 2),
    ("satisfies a role", "needs:\n  - id: POL_X\n    type: pol\n    title: T\n"
     "    document: D-1\n    section: scope\n    satisfies: [ROLE_A]\n", "wrong-link-kind", 7),
    ("evidence satisfies", "needs:\n  - id: EVID_X\n    type: evid\n    title: T\n"
     "    group: improvement\n    satisfies: [REQ_A]\n", "wrong-link-kind", 6),
    ("self link", "needs:\n  - id: PROC_X\n    type: proc\n    title: T\n    document: D-1\n"
     "    uses: [PROC_X]\n", "self-link", 6),
    ("unknown document", "needs:\n  - id: POL_X\n    type: pol\n    title: T\n"
     "    document: D-9\n    section: scope\n", "unknown-reference", 5),
    ("unknown section", "needs:\n  - id: POL_X\n    type: pol\n    title: T\n"
     "    document: D-1\n    section: scop\n", "unknown-reference", 6),
    ("unknown source", "needs:\n  - id: REQ_X\n    type: req\n    source: Other\n"
     "    clause: '1'\n    clause_title: One\n    title: T\n    phase: respond\n"
     "    artifacts: [proc]\n", "unknown-reference", 4),
    ("clause not in index", "needs:\n  - id: REQ_X\n    type: req\n    source: Standard\n"
     "    clause: '9.9'\n    title: T\n    phase: respond\n    artifacts: [proc]\n",
     "catalog-clause", 5),
    ("evidence owner not a role", "needs:\n  - id: EVID_X\n    type: evid\n    title: T\n"
     "    group: improvement\n    owner: POL_A\n", "wrong-link-kind", 6),
    ("unknown evidence owner", "needs:\n  - id: EVID_X\n    type: evid\n    title: T\n"
     "    group: improvement\n    owner: ROLE_Z\n", "unknown-reference", 6),
    ("unknown scale", """\
needs:
  - id: FORM_X
    type: form
    title: T
    sections:
      - title: S
        fields:
          - {name: level, label: Level, type: choice, choices_from: severty}
""", "unknown-reference", 8),
    ("choice without choices", """\
needs:
  - id: FORM_X
    type: form
    title: T
    sections:
      - title: S
        fields:
          - {name: level, label: Level, type: choice}
""", "missing-field", 8),
    ("exclusion without justification", """\
exclusions:
  - requirement: REQ_A
    approved_by: Board
    date: 2026-01-01
""", "missing-field", 2),
    ("exclusion with blank justification", """\
exclusions:
  - requirement: REQ_A
    justification: "   "
    approved_by: Board
    date: 2026-01-01
""", "missing-field", 3),
    ("exclusion expiring before approval", """\
exclusions:
  - requirement: REQ_A
    justification: Not used.
    approved_by: Board
    date: 2026-01-01
    expires: 2025-12-31
""", "invalid-date", 6),
    ("exclusion of unknown requirement", """\
exclusions:
  - requirement: REQ_Z
    justification: Not used.
    approved_by: Board
    date: 2026-01-01
""", "unknown-reference", 2),
    ("raw directive in content", "needs:\n  - id: POL_X\n    type: pol\n    title: T\n"
     "    document: D-1\n    section: scope\n    content: |\n      Text.\n\n"
     "      ```{raw} html\n      <b>x</b>\n      ```\n", "unsafe-markup", 10),
    ("approved document without approver", """\
documents:
  - id: D-2
    kind: plan
    title: Plan
    version: "1"
    status: approved
    owner: O
    classification: INTERNAL
""", "missing-field", 2),
    ("empty item in a link list", """\
needs:
  - id: POL_X
    type: pol
    title: T
    document: D-1
    section: scope
    satisfies:
      - REQ_A
      - ""
""", "missing-field", 9),
    ("null item in a text list", """\
needs:
  - id: ROLE_X
    type: role
    kind: role
    title: T
    responsibilities:
      - Receives reports.
      -
    satisfies: [REQ_A]
""", "missing-field", 8),
]


@pytest.mark.parametrize(("name", "text", "kind", "line"), CASES, ids=[c[0] for c in CASES])
def test_rule_reports_kind_and_line(make_project: Callable[..., Path], name: str, text: str,
                                    kind: str, line: int) -> None:
    project = make_project({"needs/base.yaml": BASE, "needs/case.yaml": text})
    result = load_project(project)
    found = [(f.kind, f.location.line if f.location else None,
              f.location.path.name if f.location else None) for f in result.findings]
    assert result.model is None, f"{name}: the input was accepted"
    assert (kind, line, "case.yaml") in found, found


def test_base_project_loads(make_project: Callable[..., Path]) -> None:
    result = load_project(make_project({"needs/base.yaml": BASE}))
    assert result.model is not None, [f.format() for f in result.findings]
    assert set(result.model.needs) == {"REQ_A", "ROLE_A", "POL_A"}


def test_all_problems_reported_in_one_run(make_project: Callable[..., Path]) -> None:
    project = make_project({
        "needs/base.yaml": BASE,
        "needs/one.yaml": "needs:\n  - id: POL_X\n    type: pol\n    title: T\n    document: "
                          "D-1\n    section: scope\n    satisfies: [REQ_B]\n",
        "needs/two.yaml": "needs:\n  - id: POL_Y\n    type: pol\n    title: T\n    document: "
                          "D-9\n    section: scope\n",
        "needs/three.yaml": "needs:\n  - id: POL_X\n    type: pol\n",
    })
    kinds = {(f.kind, f.location.path.name) for f in load_project(project).findings
             if f.location}
    assert ("unknown-link", "one.yaml") in kinds
    assert ("unknown-reference", "two.yaml") in kinds
    assert ("duplicate-id", "three.yaml") in kinds


def _problems(project: Path) -> list[tuple[str, int | None, str]]:
    """Return (kind, line, message) of every finding of the project, in report order."""
    return [(f.kind, f.location.line if f.location else None, f.message)
            for f in load_project(project).findings]


def test_invalid_need_still_gets_link_checks(make_project: Callable[..., Path]) -> None:
    project = make_project({"needs/base.yaml": BASE, "needs/case.yaml": """\
needs:
  - id: EVID_X
    type: evid
    title: T
    evidences: [ROLE_A, EVID_X]
  - id: EVID_Y
    type: evid
    title: T
    group: nope
    owner: POL_A
"""})
    problems = _problems(project)
    assert ("missing-field", 2, "evidence item EVID_X has no 'group'") in problems
    assert ("self-link", 5, "EVID_X links to itself through 'evidences:'") in problems
    assert ("wrong-link-kind", 5, "EVID_X 'evidences:' points at ROLE_A, a role; 'evidences' "
            "links to requirements or procedures") in problems
    assert ("invalid-value", 9, "evidence item EVID_Y field 'group' is 'nope', which is not "
            "allowed") in problems
    assert ("wrong-link-kind", 10, "EVID_Y 'owner:' names POL_A, a policy statement; an owner "
            "must be a role") in problems
    assert len(problems) == 5, problems


def test_invalid_target_is_known(make_project: Callable[..., Path]) -> None:
    project = make_project({"needs/base.yaml": BASE, "needs/case.yaml": """\
documents:
  - id: D-2
    kind: polcy
    title: Plan
    version: "1"
    status: draft
    owner: O
    classification: INTERNAL
    sections:
      - {id: intro, title: Introduction}
needs:
  - id: ROLE_B
    type: role
    kind: role
  - id: FORM_B
    type: frm
    title: Log
  - id: PROC_X
    type: proc
    title: T
    document: D-2
    section: intro
    performed_by: [ROLE_B]
    uses: [ROLE_B, FORM_B]
"""})
    problems = _problems(project)
    assert [kind for kind, _, _ in problems] == [
        "invalid-value", "missing-field", "invalid-value", "wrong-link-kind"], problems
    assert problems[3] == ("wrong-link-kind", 24, "PROC_X 'uses:' points at ROLE_B, a role; "
                           "'uses' links to forms")


def test_section_without_fields_reported_once(make_project: Callable[..., Path]) -> None:
    project = make_project({"needs/base.yaml": BASE, "needs/case.yaml": """\
needs:
  - id: FORM_X
    type: form
    title: Log
    sections:
      - title: Entries
        repeating: true
  - id: PROC_X
    type: proc
    title: Keep the log
    document: D-1
    uses: [FORM_X]
"""})
    assert _problems(project) == [
        ("missing-field", 6, "form section in form FORM_X field 'sections' has no 'fields'")]


def test_section_with_empty_fields_rejected(make_project: Callable[..., Path]) -> None:
    project = make_project({"needs/base.yaml": BASE, "needs/case.yaml": """\
needs:
  - id: FORM_X
    type: form
    title: Report
    sections:
      - title: Empty
        fields: []
  - id: PROC_X
    type: proc
    title: Take reports
    document: D-1
    uses: [FORM_X]
"""})
    assert _problems(project) == [
        ("missing-field", 6, "form FORM_X section 'Empty' has no fields")]


def test_catalog_id_reused_once_at_user_file(make_project: Callable[..., Path]) -> None:
    project = make_project({"needs/own.yaml": """\
sources:
  - name: Contract
    title: Customer contract
needs:
  - id: REQ_P1_4_4_1
    type: req
    source: Contract
    clause: "7"
    clause_title: Incident notice
    title: Tell the customer
    phase: respond
    artifacts: [proc]
"""}, settings="organization: Test Org\n")
    catalog_lines = (bundled_dir("catalog") / "iso27035-1.yaml").read_text(
        encoding="utf-8").splitlines()
    catalog_line = catalog_lines.index("  - id: REQ_P1_4_4_1") + 1

    findings = load_project(project).findings
    assert [(f.kind, f.location.path.name if f.location else None) for f in findings] == [
        ("duplicate-id", "own.yaml")]
    assert findings[0].location is not None and findings[0].location.line == 5
    assert findings[0].message == ("id 'REQ_P1_4_4_1' is already used by the catalog, at "
                                   f"iso27035-1.yaml:{catalog_line}")
    assert findings[0].hint is not None and "REQ_NIS2_23_4_A_1" in findings[0].hint


def test_settings_errors_reported_together(make_project: Callable[..., Path]) -> None:
    project = make_project({}, settings="organisation: Test Org\ntoday: 2026-02-30\n"
                           "catalog: ../catalog\nneeds: ../elsewhere\n")
    problems = [(kind, line) for kind, line, _ in _problems(project)]
    assert problems == [("missing-field", 1), ("unknown-field", 1), ("invalid-date", 2),
                        ("project", 3), ("project", 4)]


def test_blank_justification_says_what_to_write(make_project: Callable[..., Path]) -> None:
    project = make_project({"needs/base.yaml": BASE, "needs/case.yaml": """\
exclusions:
  - requirement: REQ_Z
    justification: ""
    approved_by: Board
    date: 2026-01-01
"""})
    problems = _problems(project)
    assert ("missing-field", 3, "exclusion entry field 'justification' is blank") in problems
    assert ("unknown-reference", 2, "exclusion names 'REQ_Z', which is not a requirement") \
        in problems


@pytest.mark.parametrize(("expires", "messages"), [
    ("2026-02-28", ["the exclusion of REQ_A expires on 2026-02-28, before its approval date "
                    "2026-03-01"]),
    ("2026-03-01", []),
])
def test_exclusion_expiry_against_approval(make_project: Callable[..., Path], expires: str,
                                           messages: list[str]) -> None:
    project = make_project({"needs/base.yaml": BASE, "needs/case.yaml": f"""\
exclusions:
  - requirement: REQ_A
    justification: Not used.
    approved_by: Board
    date: 2026-03-01
    expires: {expires}
"""})
    result = load_project(project)
    assert [f.message for f in result.findings] == messages
    assert (result.model is None) == bool(messages)


def test_defaults_apply_to_each_need(make_project: Callable[..., Path]) -> None:
    project = make_project({"needs/base.yaml": BASE, "needs/more.yaml": """\
defaults:
  type: pol
  document: D-1
  section: scope
needs:
  - id: POL_B
    title: Second statement
  - id: POL_C
    title: Third statement
    section: scope
"""})
    result = load_project(project)
    assert result.model is not None, [f.format() for f in result.findings]
    assert result.model.needs["POL_B"].type == "pol"
    assert result.model.needs["POL_C"].document == "D-1"


def test_unknown_field_suggests_the_right_one(make_project: Callable[..., Path]) -> None:
    project = make_project({"needs/base.yaml": BASE, "needs/case.yaml": CASES[6][1]})
    findings = [f for f in load_project(project).findings if f.kind == "unknown-field"]
    assert findings[0].hint == "did you mean 'satisfies'?"


def test_text_values_keep_what_was_written(make_project: Callable[..., Path]) -> None:
    project = make_project({"needs/base.yaml": BASE.replace('version: "1.0"', "version: 1.10")
                            .replace("title: Scope statement", "title: 'yes'")})
    result = load_project(project)
    assert result.model is not None
    assert result.model.documents["D-1"].version == "1.10"
    assert result.model.needs["POL_A"].title == "yes"


def test_alias_bomb_reports_each_anchor_once(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text("a: &a [x, x, x]\n"
                    "b: &b [*a, *a, *a]\n"
                    "c: [*b, *b, *b]\n", encoding="utf-8")
    document, findings = read_yaml_file(path)
    assert document is None
    assert [f.kind for f in findings] == ["alias", "alias"]
    assert sorted(f.location.line for f in findings) == [1, 2]
