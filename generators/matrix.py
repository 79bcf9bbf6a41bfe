"""The traceability matrix as CSV and JSON: one row per requirement, from the coverage.

Both renderers take their numbers from ``generators.coverage`` and produce the same
bytes for the same inputs: no timestamps, stable order, ``\\n`` line ends.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from generators.coverage import Coverage, RequirementCoverage
from generators.markup import plain_text
from generators.model import Model
from generators.trace_model import ARTIFACT_TYPES, NEED_TYPES, PHASES

MATRIX_BASENAME = "traceability-matrix"
APPLICABILITY_BASENAME = "statement-of-applicability"

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def matrix_rows(model: Model, coverage: Coverage) -> list[dict[str, Any]]:
    """Return one row per requirement, in catalog order, with list values as lists."""
    return [_row(model, result) for result in coverage.requirements.values()]


def _row(model: Model, result: RequirementCoverage) -> dict[str, Any]:
    req = result.requirement
    exclusion = result.exclusion if result.status == "excluded" else None
    row: dict[str, Any] = {
        "id": req.id,
        "title": req.title,
        "source": req.source,
        "part": req.part,
        "edition": req.edition,
        "clause": req.clause,
        "clause_title": req.clause_title,
        "confidence": req.confidence,
        "phase": req.phase,
        "level": req.level,
        "expected_types": list(req.artifacts),
        "evidence_expected": req.evidence,
        "status": result.status,
        "satisfied_by": list(result.satisfied_by),
    }
    for need_type in ARTIFACT_TYPES:
        row[f"{need_type}_ids"] = [a for a in result.satisfied_by
                                   if model.needs[a].type == need_type]
    row.update({
        "evidenced_by": list(result.evidenced_by),
        "overdue_evidence": list(result.stale_evidence),
        "missing_types": list(result.types_missing),
        "exclusion_justification": plain_text(exclusion.justification) if exclusion else None,
        "exclusion_approved_by": exclusion.approved_by if exclusion else None,
        "exclusion_date": exclusion.date.isoformat() if exclusion else None,
        "exclusion_expires": exclusion.expires.isoformat()
        if exclusion and exclusion.expires else None,
    })
    return row


def matrix_json(model: Model, coverage: Coverage) -> bytes:
    """Return the matrix with totals per source and per phase as JSON."""
    document = {
        "organization": model.organization,
        "date": coverage.today.isoformat(),
        "totals": coverage.totals.as_dict(),
        "by_source": {name: t.as_dict() for name, t in coverage.by_source.items()},
        "by_phase": {name: t.as_dict() for name, t in coverage.by_phase.items()},
        "phases": PHASES,
        "artifact_types": {t: NEED_TYPES[t].title for t in ARTIFACT_TYPES},
        "requirements": matrix_rows(model, coverage),
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def matrix_csv(model: Model, coverage: Coverage) -> bytes:
    """Return the matrix as CSV; list values are joined with '; '.

    A text cell that a spreadsheet would read as a formula gets a leading apostrophe,
    so a title such as ``=HYPERLINK(...)`` shows as text.
    """
    rows = matrix_rows(model, coverage)
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    columns = list(rows[0]) if rows else ["id"]
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row[c]) for c in columns])
    return stream.getvalue().encode("utf-8")


def applicability_rows(coverage: Coverage) -> tuple[list[str], list[list[Any]]]:
    """Return the statement of applicability: every requirement, applicable or not, and why."""
    header = ["Id", "Title", "Source", "Clause", "Clause title", "Applicable", "Justification",
              "Approved by", "Approved on", "Expires", "Status"]
    rows = []
    for result in coverage.requirements.values():
        req = result.requirement
        exclusion = result.exclusion
        rows.append([
            req.id, req.title, req.source, req.clause, req.clause_title,
            "no" if result.status == "excluded" else "yes",
            applicability_reason(result, coverage.today),
            exclusion.approved_by if exclusion else "",
            exclusion.date.isoformat() if exclusion else "",
            exclusion.expires.isoformat() if exclusion and exclusion.expires else "",
            result.status,
        ])
    return header, rows


def applicability_reason(result: RequirementCoverage, today: dt.date) -> str:
    """Return why a requirement applies or not on ``today``, as plain text."""
    exclusion = result.exclusion
    if exclusion is None:
        return "Applicable."
    justification = plain_text(exclusion.justification)
    state = exclusion.state(today)
    if state == "expired":
        return f"Exclusion expired on {exclusion.expires}: {justification}"
    if state == "pending":
        return f"Exclusion not in force before {exclusion.date}: {justification}"
    return justification


def applicability_csv(coverage: Coverage) -> bytes:
    """Return the statement of applicability as CSV."""
    header, rows = applicability_rows(coverage)
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return stream.getvalue().encode("utf-8")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text
