"""The large tables of the site (matrix, applicability, forms), as plain data.

Large tables are built as docutils nodes when their page is written, rather than
written as MyST text: parsing a table of thousands of cells costs more than the rest of
its page. The same rows give the page's write digest, so the page is written again
exactly when they change, without being read again.
"""

from __future__ import annotations

from dataclasses import dataclass

from generators.coverage import Coverage
from generators.matrix import applicability_reason
from generators.model import Form, Model
from generators.site.paging import ROWS_PER_PAGE
from generators.trace_model import ARTIFACT_TYPES, NEED_TYPES, PHASES


@dataclass(frozen=True)
class Fragment:
    """A piece of a cell: text, shown strong, or a link to a placed need."""

    text: str
    need_id: str | None = None
    strong: bool = False


Cell = tuple[Fragment, ...]

TABLES = ("matrix", "applicability", "forms")


def table_rows(name: str, model: Model, coverage: Coverage) -> tuple[list[str], list[list[Cell]]]:
    """Return the header and all rows of table ``name``."""
    if name == "matrix":
        return _matrix(model, coverage)
    if name == "applicability":
        return _applicability(coverage)
    if name == "forms":
        return _forms(model)
    raise ValueError(f"unknown table {name!r}; tables: {', '.join(TABLES)}")


def table_part(rows: list[list[Cell]], part: int) -> list[list[Cell]]:
    """Return the rows of page ``part`` (1-based) of a table.

    The pages have nearly equal sizes, so that no page holds only a few rows.
    """
    size = -(-len(rows) // part_count(rows))
    start = (part - 1) * size
    return rows[start:start + size]


def part_count(rows: list[list[Cell]]) -> int:
    """Return how many pages a table of ``rows`` takes (at least one)."""
    return max(1, -(-len(rows) // ROWS_PER_PAGE))


def _text(value: object) -> Cell:
    return (Fragment(str(value)),)


def _links(ids: list[str], suffix: str = "") -> list[Fragment]:
    fragments: list[Fragment] = []
    for index, need_id in enumerate(ids):
        if index:
            fragments.append(Fragment(", "))
        fragments.append(Fragment(need_id, need_id))
        if suffix:
            fragments.append(Fragment(suffix))
    return fragments


def _artifact_cell(ids: list[str], expected: bool, stale: list[str] | None = None) -> Cell:
    fragments = _links(ids)
    if stale:
        if fragments:
            fragments.append(Fragment(", "))
        fragments += _links(stale, " (overdue)")
    if fragments:
        return tuple(fragments)
    return (Fragment("missing", strong=True),) if expected else (Fragment("-"),)


def _matrix(model: Model, coverage: Coverage) -> tuple[list[str], list[list[Cell]]]:
    header = ["Requirement", "Clause", "Phase",
              *(NEED_TYPES[t].title for t in ARTIFACT_TYPES), "Evidence", "Status"]
    rows = []
    for result in coverage.requirements.values():
        req = result.requirement
        row: list[Cell] = [(Fragment(req.id, req.id),), _text(f"{req.source} {req.clause}"),
                           _text(PHASES[req.phase])]
        for need_type in ARTIFACT_TYPES:
            ids = [a for a in result.satisfied_by if model.needs[a].type == need_type]
            row.append(_artifact_cell(ids, need_type in req.artifacts))
        row.append(_artifact_cell(list(result.evidenced_by), req.evidence,
                                  list(result.stale_evidence)))
        row.append(_text(result.status))
        rows.append(row)
    return header, rows


def _applicability(coverage: Coverage) -> tuple[list[str], list[list[Cell]]]:
    header = ["Requirement", "Source and clause", "Applicable", "Justification",
              "Approved by", "Approved on", "Expires"]
    rows = []
    for result in coverage.requirements.values():
        req = result.requirement
        exclusion = result.exclusion
        excluded = result.status == "excluded"
        rows.append([
            (Fragment(req.id, req.id),), _text(f"{req.source} {req.clause}"),
            _text("no" if excluded else "yes"),
            _text(applicability_reason(result, coverage.today)),
            _text(exclusion.approved_by if exclusion else "-"),
            _text(exclusion.date.isoformat() if exclusion else "-"),
            _text(exclusion.expires.isoformat() if exclusion and exclusion.expires else "-"),
        ])
    return header, rows


def _forms(model: Model) -> tuple[list[str], list[list[Cell]]]:
    header = ["Form", "Title", "Sections", "Fields", "Required", "Status"]
    rows = []
    for form in model.of_type(Form):
        fields = list(form.iter_fields())
        rows.append([(Fragment(form.id, form.id),), _text(form.title),
                     _text(len(form.sections)), _text(len(fields)),
                     _text(sum(1 for f in fields if f.required)), _text(form.status)])
    return header, rows
