"""The auditors' workbook: coverage summary, requirements, applicability and artifacts.

Every cell of user text is stored as text, so a title such as ``=HYPERLINK(...)`` can
never become a formula. The file is byte-identical for the same inputs.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from generators.coverage import Coverage, Totals
from generators.markup import plain_text
from generators.matrix import applicability_rows
from generators.model import (
    EvidenceItem,
    Form,
    Model,
    PolicyStatement,
    Procedure,
    Role,
)
from generators.reproducible import normalize_office_zip
from generators.trace_health import review_due
from generators.trace_model import NEED_TYPES, PHASES

_HEADER_FILL = "FFD9E2F3"
_STATUS_FILLS = {"covered": "FFE2EFDA", "partial": "FFFFF2CC", "gap": "FFF8CBAD",
                 "excluded": "FFEDEDED"}
_PERCENT_FORMAT = "0.0%"


def workbook_bytes(model: Model, coverage: Coverage, timestamp: dt.datetime) -> bytes:
    """Return the workbook as .xlsx bytes."""
    from openpyxl import Workbook

    workbook = Workbook()
    summary = workbook.active
    summary.title = "Summary"
    _summary_sheet(summary, model, coverage)
    _requirements_sheet(workbook.create_sheet("Requirements"), model, coverage)
    _applicability_sheet(workbook.create_sheet("Applicability"), coverage)
    _artifact_sheets(workbook, model, coverage.today)
    workbook.properties.creator = "iso27035"
    workbook.properties.title = f"{model.organization}: incident management traceability"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return normalize_office_zip(buffer.getvalue(), timestamp)


def evidence_workbook_bytes(model: Model, header: Sequence[str], rows: Iterable[Sequence[Any]],
                            timestamp: dt.datetime) -> bytes:
    """Return a workbook with one sheet, the evidence pack's index of evidence items."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Evidence"
    _write_table(sheet, header, rows)
    workbook.properties.creator = "iso27035"
    workbook.properties.title = f"{model.organization}: evidence pack index"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return normalize_office_zip(buffer.getvalue(), timestamp)


def _summary_sheet(sheet: Any, model: Model, coverage: Coverage) -> None:
    header = ["Group", "Total", "Covered", "Partial", "Gap", "Excluded", "Applicable",
              "Covered %"]
    rows: list[list[Any]] = [["All requirements", *_counts(coverage.totals)]]
    rows += [[name, *_counts(t)] for name, t in coverage.by_source.items()]
    rows += [[f"Phase: {PHASES[name]}", *_counts(t)] for name, t in coverage.by_phase.items()]
    _set(sheet.cell(row=1, column=1),
         f"{model.organization}: coverage on {coverage.today.isoformat()}")
    _write_table(sheet, header, rows, start_row=3)
    sheet.freeze_panes = "A4"

    # The share is a number shown as a percentage, so the column sorts and charts.
    percent_column = header.index("Covered %") + 1
    for row_number in range(4, 4 + len(rows)):
        sheet.cell(row=row_number, column=percent_column).number_format = _PERCENT_FORMAT


def _counts(totals: Totals) -> list[Any]:
    """Return the counts, then the covered share as a fraction (empty when none applies)."""
    percent = totals.percent_covered
    return [totals.total, totals.covered, totals.partial, totals.gap, totals.excluded,
            totals.applicable, None if percent is None else round(percent / 100, 3)]


def _requirements_sheet(sheet: Any, model: Model, coverage: Coverage) -> None:
    header = ["Id", "Title", "Source", "Clause", "Clause title", "Confidence", "Phase",
              "Level", "Expected artifacts", "Evidence expected", "Status", "Satisfied by",
              "Policy statements", "Procedures", "Forms", "Roles", "Evidence",
              "Overdue evidence", "Justification of exclusion", "Exclusion approved by",
              "Exclusion expires"]
    rows = []
    for result in coverage.requirements.values():
        req = result.requirement
        by_type = {t: _join(a for a in result.satisfied_by if model.needs[a].type == t)
                   for t in ("pol", "proc", "form", "role")}
        exclusion = result.exclusion
        rows.append([
            req.id, req.title, req.source, req.clause, req.clause_title, req.confidence,
            PHASES[req.phase], req.level, _join(NEED_TYPES[t].title for t in req.artifacts),
            "yes" if req.evidence else "no", result.status, _join(result.satisfied_by),
            by_type["pol"], by_type["proc"], by_type["form"], by_type["role"],
            _join(result.evidenced_by), _join(result.stale_evidence),
            plain_text(exclusion.justification) if exclusion else "",
            exclusion.approved_by if exclusion else "",
            exclusion.expires.isoformat() if exclusion and exclusion.expires else "",
        ])
    _write_table(sheet, header, rows, status_column=header.index("Status"))


def _applicability_sheet(sheet: Any, coverage: Coverage) -> None:
    header, rows = applicability_rows(coverage)
    _write_table(sheet, header, rows, status_column=header.index("Status"))


def _artifact_sheets(workbook: Any, model: Model, today: dt.date) -> None:
    for cls, title in ((PolicyStatement, "Policy statements"), (Procedure, "Procedures"),
                       (Form, "Forms"), (Role, "Roles")):
        needs: list[Any] = list(model.of_type(cls))
        header = ["Id", "Title", "Document", "Section", "Status", "Satisfies"]
        rows: list[list[Any]] = [[n.id, n.title, n.document or "", n.section or "", n.status,
                                  _join(n.outgoing("satisfies"))] for n in needs]
        if cls is Procedure:
            header += ["Kind", "Performed by", "Uses"]
            for row, need in zip(rows, needs, strict=True):
                assert isinstance(need, Procedure)
                row += [need.kind, _join(need.outgoing("performed_by")),
                        _join(need.outgoing("uses"))]
        elif cls is Role:
            header += ["Kind", "Scope", "Availability", "Contacts", "Performs"]
            for row, need in zip(rows, needs, strict=True):
                assert isinstance(need, Role)
                row += [need.kind, need.scope, need.availability or "",
                        _join(f"{c.channel}: {c.value}" for c in need.contacts),
                        _join(model.incoming(need.id, "performed_by"))]
        elif cls is Form:
            header += ["Fields", "Used by"]
            for row, need in zip(rows, needs, strict=True):
                assert isinstance(need, Form)
                row += [len(list(need.iter_fields())), _join(model.incoming(need.id, "uses"))]
        _write_table(workbook.create_sheet(title), header, rows)
    _write_table(workbook.create_sheet("Evidence items"), *evidence_table(model, today))


def evidence_table(model: Model, today: dt.date) -> tuple[list[str], list[list[Any]]]:
    """Return the evidence register: owner, location, review state and what each proves."""
    header = ["Id", "Title", "Group", "Owner", "Location", "Review interval", "Last reviewed",
              "Review state", "Retention", "Evidences"]
    rows = []
    for item in model.of_type(EvidenceItem):
        rows.append([
            item.id, item.title, item.group, item.owner or "", item.location or "",
            str(item.review_interval or ""),
            item.last_reviewed.isoformat() if item.last_reviewed else "",
            review_state(item, today), item.retention or "", _join(item.outgoing("evidences")),
        ])
    return header, rows


def review_state(item: EvidenceItem, today: dt.date) -> str:
    """Return 'current', 'overdue since DATE' or 'no review date' for an evidence item."""
    if item.review_interval is None or item.last_reviewed is None:
        return "no review date"
    due = review_due(item, today)
    return f"overdue since {due}" if due is not None else "current"


def _write_table(sheet: Any, header: Sequence[str], rows: Iterable[Sequence[Any]],
                 start_row: int = 1, status_column: int | None = None) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    widths = [len(h) for h in header]
    for column, title in enumerate(header, start=1):
        cell = sheet.cell(row=start_row, column=column)
        _set(cell, title)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
    row_number = start_row
    for row_number, row in enumerate(rows, start=start_row + 1):
        for column, value in enumerate(row, start=1):
            _set(sheet.cell(row=row_number, column=column), value)
            widths[column - 1] = max(widths[column - 1], min(len(str(value)), 60))
        if status_column is not None:
            fill = _STATUS_FILLS.get(str(row[status_column]))
            if fill:
                sheet.cell(row=row_number, column=status_column + 1).fill = PatternFill(
                    "solid", fgColor=fill)
    last = get_column_letter(len(header))
    sheet.auto_filter.ref = f"A{start_row}:{last}{max(row_number, start_row)}"
    sheet.freeze_panes = f"A{start_row + 1}"
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width + 2


def _set(cell: Any, value: Any) -> None:
    """Store a value; text is always stored as text, never read as a formula."""
    if isinstance(value, bool):
        value = "yes" if value else "no"
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"



def _join(values: Iterable[str]) -> str:
    return "; ".join(values)
