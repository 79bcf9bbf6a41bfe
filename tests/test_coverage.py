"""Coverage statuses and totals, computed from real loaded projects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from generators.coverage import compute_coverage
from generators.loading.convert import Duration
from generators.loading.project import load_project
from generators.model import Model


def _model(project: Path) -> Model:
    result = load_project(project)
    assert result.model is not None, [f.format() for f in result.findings]
    return result.model


def test_statuses_of_complete_project(copy_root: Callable[[str], Path]) -> None:
    coverage = compute_coverage(_model(copy_root("complete")), dt.date(2026, 6, 30))
    statuses = {rid: r.status for rid, r in coverage.requirements.items()}
    assert statuses == {"REQ_TEST_POLICY": "covered", "REQ_TEST_REPORTING": "covered",
                        "REQ_TEST_LESSONS": "partial", "REQ_TEST_MULTI_POC": "excluded"}
    assert coverage.totals.as_dict() == {"covered": 2, "partial": 1, "gap": 0, "excluded": 1,
                                         "total": 4, "applicable": 3, "percent_covered": 66.7}
    assert coverage.by_phase["learn-lessons"].partial == 1
    assert coverage.by_phase["respond"].total == 0
    assert coverage.by_phase["respond"].percent_covered is None


def test_overdue_evidence_makes_partial(copy_root: Callable[[str], Path]) -> None:
    model = _model(copy_root("complete"))
    on_time = compute_coverage(model, dt.date(2027, 1, 10))
    overdue = compute_coverage(model, dt.date(2027, 1, 11))
    assert on_time.requirements["REQ_TEST_POLICY"].status == "covered"
    assert overdue.requirements["REQ_TEST_POLICY"].status == "partial"
    assert overdue.requirements["REQ_TEST_POLICY"].stale_evidence == ("EVID_POLICY_APPROVAL",)
    partial = [f for f in overdue.findings if f.subject == "REQ_TEST_POLICY"]
    assert "its evidence is overdue for review (EVID_POLICY_APPROVAL)" in partial[0].message


def test_drafts_can_be_left_out(copy_root: Callable[[str], Path]) -> None:
    model = _model(copy_root("complete"))
    coverage = compute_coverage(model, dt.date(2026, 6, 30), count_drafts=False)
    result = coverage.requirements["REQ_TEST_LESSONS"]
    assert result.status == "gap"
    assert result.excluded_drafts == ("PROC_INTAKE",)
    assert coverage.requirements["REQ_TEST_REPORTING"].satisfied_by == ("FORM_EVENT",)


def test_evidence_of_a_procedure_counts(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    path = project / "needs/artifacts.yaml"
    path.write_text(path.read_text() + """\
  - id: EVID_INTAKE_RECORDS
    type: evid
    title: Intake records
    group: incident-execution
    evidences: [PROC_INTAKE]
""")
    coverage = compute_coverage(_model(project), dt.date(2026, 6, 30))
    assert coverage.requirements["REQ_TEST_LESSONS"].status == "covered"
    assert coverage.requirements["REQ_TEST_LESSONS"].evidenced_by == ("EVID_INTAKE_RECORDS",)


def test_expired_exclusion_counts_as_applicable(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    path = project / "needs/requirements.yaml"
    path.write_text(path.read_text() + "    expires: 2026-03-31\n")
    model = _model(project)
    assert compute_coverage(model, dt.date(2026, 3, 31)).requirements[
        "REQ_TEST_MULTI_POC"].status == "excluded"
    assert compute_coverage(model, dt.date(2026, 4, 1)).requirements[
        "REQ_TEST_MULTI_POC"].status == "gap"


def test_review_interval_months_clamp_to_month_end() -> None:
    assert Duration(1, "month").after(dt.date(2026, 1, 31)) == dt.date(2026, 2, 28)
    assert Duration(12, "month").after(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)
    assert Duration(2, "week").after(dt.date(2026, 1, 1)) == dt.date(2026, 1, 15)
    assert Duration(1, "year").after(dt.date(2026, 5, 4)) == dt.date(2027, 5, 4)
