"""The traceability appendix: each requirement with its clause, status and what satisfies it.

Every status and count comes from the coverage the other outputs show; this module
only lays it out.
"""

from __future__ import annotations

import datetime as dt

from generators.coverage import RequirementCoverage, Totals, format_percent
from generators.model import Artifact, ExclusionState, Model
from generators.trace_model import NEED_TYPES, PHASES, STATUSES
from generators.word.content import BodyWriter
from generators.word.wordml import TABLE_TEXT, Blocks, RunFormat, add_heading, add_run, cell_grid

TOTALS_HEADER = ["Total", "Covered", "Partial", "Gap", "Excluded", "Covered %"]
REQUIREMENT_HEADER = ["Requirement", "Clause", "Phase", "Status", "Satisfied by", "Evidence"]
_IN_FORCE: dict[ExclusionState, str] = {
    "in force": "yes", "expired": "no, expired", "pending": "no, from {date}",
}
"""The "In force" cell of an exclusion, by its state."""


def write_appendix(writer: BodyWriter) -> None:
    """Write the appendix: the opening document if any, the totals, then every requirement."""
    model, coverage = writer.model, writer.coverage
    if writer.planned.document is not None:
        writer.write_document(writer.planned.document)
    totals = coverage.totals
    add_heading(writer.blocks, "Coverage summary", 1, writer.parts)
    add_run(writer.blocks.paragraph("Normal"), (
        f"Coverage on {coverage.today.isoformat()}: {totals.covered} of {totals.applicable} "
        f"applicable requirements covered ({format_percent(totals.percent_covered)}), "
        f"{totals.partial} partial, {totals.gap} not covered, {totals.excluded} excluded."))
    source_rows = [[name, *_counts(t)] for name, t in coverage.by_source.items()]
    writer.simple_table(["Source", *TOTALS_HEADER],
                        [*source_rows, ["All requirements", *_counts(totals)]])
    writer.simple_table(["Phase", *TOTALS_HEADER],
                        [[PHASES[name], *_counts(t)] for name, t in coverage.by_phase.items()])
    writer.simple_table(["Status", "Meaning"], [[name, text] for name, text in STATUSES.items()])

    for name in coverage.by_source:
        results = [r for r in coverage.requirements.values() if r.requirement.source == name]
        source = model.sources.get(name)
        add_heading(writer.blocks, name, 1, writer.parts)
        if source is not None and source.title != name:
            add_run(writer.blocks.paragraph("Normal"), source.title, RunFormat(italic=True))
        _requirement_table(writer, results)

    excluded = [r for r in coverage.requirements.values() if r.exclusion is not None]
    if excluded:
        _exclusions(writer, excluded, coverage.today)


def _counts(totals: Totals) -> list[str]:
    return [str(totals.total), str(totals.covered), str(totals.partial), str(totals.gap),
            str(totals.excluded), format_percent(totals.percent_covered)]


def _requirement_table(writer: BodyWriter, results: list[RequirementCoverage]) -> None:
    model = writer.model
    rows = [[f"{r.requirement.id}\n{r.requirement.title}",
             f"{r.requirement.clause} {r.requirement.clause_title}",
             PHASES[r.requirement.phase], r.status, "\n".join(_satisfied_by(model, r)),
             "\n".join(_evidence(r))] for r in results]
    grid = cell_grid(writer.table_frame(REQUIREMENT_HEADER, rows))
    for row_index, (result, cells) in enumerate(zip(results, rows, strict=True), start=1):
        for column, text in enumerate(cells):
            paragraph = Blocks(grid[row_index][column]).paragraph(TABLE_TEXT)
            if column == 0:
                add_run(paragraph, result.requirement.id, RunFormat(bold=True))
                add_run(paragraph, f"\n{result.requirement.title}")
            elif column == 3:
                add_run(paragraph, text, RunFormat(bold=result.status == "gap"))
            else:
                add_run(paragraph, text)


def _satisfied_by(model: Model, result: RequirementCoverage) -> list[str]:
    """Return one line per artifact: its id and the document that contains it."""
    lines = []
    for artifact_id in result.satisfied_by:
        artifact = model.needs[artifact_id]
        where = artifact.document if isinstance(artifact, Artifact) and artifact.document \
            else NEED_TYPES[artifact.type].title.lower()
        lines.append(f"{artifact_id} ({where})")
    if result.excluded_drafts:
        lines.append(f"Drafts not counted: {', '.join(result.excluded_drafts)}")
    if result.status == "gap":
        expected = ", ".join(NEED_TYPES[t].title.lower() for t in result.requirement.artifacts)
        lines.append(f"Nothing; expected: {expected}")
    return lines


def _evidence(result: RequirementCoverage) -> list[str]:
    lines = list(result.evidenced_by)
    lines += [f"{item} (overdue for review)" for item in result.stale_evidence]
    if lines:
        return lines
    if not result.requirement.evidence:
        return ["Not expected"]
    return ["-"] if result.status == "excluded" else ["Missing"]


def _exclusions(writer: BodyWriter, results: list[RequirementCoverage],
                today: dt.date) -> None:
    """Write each exclusion with its justification, and whether it is still in force."""
    add_heading(writer.blocks, "Exclusions", 1, writer.parts)
    header = ["Requirement", "Justification", "Approved by", "Date", "Expires", "In force"]
    rows = []
    for result in results:
        exclusion = result.exclusion
        assert exclusion is not None
        rows.append([result.requirement.id, exclusion.justification, exclusion.approved_by,
                     exclusion.date.isoformat(),
                     exclusion.expires.isoformat() if exclusion.expires else "-",
                     _IN_FORCE[exclusion.state(today)].format(date=exclusion.date)])
    grid = cell_grid(writer.table_frame(header, rows))
    for row_index, cells in enumerate(rows, start=1):
        for column, text in enumerate(cells):
            cell_blocks = Blocks(grid[row_index][column])
            if column == 1:
                writer.markup.write(cell_blocks, text, heading_level=2)
            else:
                add_run(cell_blocks.paragraph(TABLE_TEXT), text)
