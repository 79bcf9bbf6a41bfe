"""The body of a Word document, from the model: sections, needs, scales, forms and flow.

The body follows the site's document page: the intro, each section with its text and
its needs, needs without a section, the scales and forms the document presents, and
how its procedures connect. Each need shows its id in its heading (and as a bookmark),
its links, and the same MyST body the site renders (``need_markup``).
"""

from __future__ import annotations

from docx.table import Table

from generators.coverage import Coverage
from generators.model import (
    Artifact,
    Document,
    Form,
    Model,
    Need,
    Procedure,
    Requirement,
    Scale,
)
from generators.site.need_content import need_markup
from generators.trace_model import LINK_TYPES, NEED_TYPES
from generators.word.configuration import PlannedDocument, document_needs
from generators.word.markup import MarkupWriter, NeedIndex
from generators.word.wordml import (
    DRAFT_LABEL,
    DRAFT_NEED_NOTICE,
    TABLE_TEXT,
    Blocks,
    Fragment,
    RunFormat,
    add_heading,
    add_hyperlink,
    add_run,
    bookmark_name,
    cell_grid,
    column_widths,
    repeat_header_rows,
    set_column_widths,
    set_list_item,
    style_id,
)

EMPTY_SECTION = "This section has no content yet."
EMPTY_DOCUMENT = "This document has no content yet."


def written_needs(model: Model, planned: PlannedDocument) -> list[Artifact]:
    """Return the needs whose full text the file shows, in order."""
    if planned.procedure is not None:
        return [planned.procedure]
    if planned.document is None:
        return []
    elsewhere = {procedure.id for procedure, _ in planned.separate}
    return [n for n in document_needs(model, planned.document) if n.id not in elsewhere]


class BodyWriter:
    """Writes the body of one planned file into a fragment."""

    def __init__(self, model: Model, coverage: Coverage, planned: PlannedDocument,
                 fragment: Fragment) -> None:
        self.model = model
        self.coverage = coverage
        self.planned = planned
        self.fragment = fragment
        self.parts = fragment.parts
        self.blocks = fragment.blocks
        self.needs = written_needs(model, planned)
        self.anchors = frozenset(n.id for n in self.needs)
        self.markup = MarkupWriter(self.parts, NeedIndex(
            {n.id: n.title for n in model.needs.values()}, self.anchors))

    def write(self) -> None:
        """Write the whole body of a document, or of one procedure."""
        if self.planned.procedure is not None:
            self.write_need(self.planned.procedure, 1)
            return
        if self.planned.document is not None:
            self.write_document(self.planned.document)

    def write_document(self, document: Document) -> None:
        """Write the intro, the sections, and what the document presents besides."""
        before = len(self.fragment.body.element.body)
        self.markup.write(self.blocks, document.intro, heading_level=1)
        for section in document.sections:
            add_heading(self.blocks, section.title, 1, self.parts)
            members = [n for n in self.needs if n.section == section.id]
            moved = [(p, name) for p, name in self.planned.separate if p.section == section.id]
            self.markup.write(self.blocks, section.text, heading_level=2)
            for need in members:
                self.write_need(need, 2)
            self._write_moved(moved)
            if not (section.text.strip() or members or moved):
                self._note(EMPTY_SECTION)
        unsectioned = [n for n in self.needs if n.section is None]
        moved = [(p, name) for p, name in self.planned.separate if p.section is None]
        if unsectioned or moved:
            add_heading(self.blocks, _group_title(unsectioned, moved), 1, self.parts)
            for need in unsectioned:
                self.write_need(need, 2)
            self._write_moved(moved)
        for scale in self.model.scales.values():
            if scale.document == document.id:
                self.write_scale(scale)
        self._write_forms(document)
        self._write_flow()
        if len(self.fragment.body.element.body) == before:
            self._note(EMPTY_DOCUMENT)

    def write_need(self, need: Need, level: int) -> None:
        """Write a need: its id and title as a heading, its links, then its body."""
        add_heading(self.blocks, f"{need.id} \u2013 {need.title}", level, self.parts,
                    (bookmark_name(need.id),))
        # A draft document, and a draft procedure in a file of its own, carry DRAFT on
        # every page. A draft need in an approved document is marked here.
        document = self.planned.document
        marked_elsewhere = self.planned.procedure is not None or (
            document is not None and not document.approved_on(self.coverage.today))
        if isinstance(need, Artifact) and need.status != "approved" and not marked_elsewhere:
            self._draft_notice(need)
        for link in LINK_TYPES.values():
            for label, ids in ((link.outgoing, need.outgoing(link.name)),
                               (link.incoming, self.model.incoming(need.id, link.name))):
                if ids:
                    self._reference_line(label, ids)
        if need.tags:
            paragraph = self.blocks.paragraph("Need Details")
            add_run(paragraph, "Tags: ", RunFormat(bold=True))
            add_run(paragraph, ", ".join(need.tags))
        self.markup.write(self.blocks, need_markup(need, self.model), heading_level=level + 1)

    def _draft_notice(self, need: Artifact) -> None:
        """Write the boxed notice that a need of an approved document is not approved."""
        paragraph = self.blocks.paragraph(DRAFT_NEED_NOTICE)
        label = add_run(paragraph, "DRAFT")
        label._r.style = style_id(paragraph.part, DRAFT_LABEL)
        add_run(paragraph, f" {need.id} is not approved, although this document is. Do not "
                "rely on it until it is approved.")

    def _reference_line(self, label: str, ids: tuple[str, ...]) -> None:
        paragraph = self.blocks.paragraph("Need Details")
        add_run(paragraph, f"{label[:1].upper()}{label[1:]}: ", RunFormat(bold=True))
        for index, need_id in enumerate(ids):
            if index:
                add_run(paragraph, "; ")
            shown = describe_need(self.model, need_id)
            if need_id in self.anchors:
                link = add_hyperlink(paragraph, anchor=bookmark_name(need_id))
                add_run(paragraph, shown, RunFormat(link=True), link)
            else:
                add_run(paragraph, shown)

    def _write_moved(self, moved: list[tuple[Procedure, str]]) -> None:
        """List the procedures that are written to files of their own."""
        for procedure, file_name in moved:
            paragraph = self.blocks.paragraph("Normal")
            add_run(paragraph, f"{procedure.id} \u2013 {procedure.title}", RunFormat(bold=True))
            add_run(paragraph, f": see the separate document {file_name}.")

    def write_scale(self, scale: Scale) -> None:
        """Write a scale: its description, then one table row per level.

        A level's criteria follow its description as a bulleted list in the same cell.
        """
        add_heading(self.blocks, scale.title, 1, self.parts)
        self.markup.write(self.blocks, scale.description, heading_level=2)
        header = ["Value", "Level", "Description", "Response target", "Escalate to"]
        rows = []
        for level in scale.levels:
            escalate = describe_need(self.model, level.escalate_to) if level.escalate_to \
                else "-"
            rows.append([level.value, level.label,
                         "\n".join([level.description, *level.criteria]).strip() or "-",
                         level.response_target or "-", escalate])
        grid = cell_grid(self.table_frame(header, rows))
        for row_index, (level, cells) in enumerate(zip(scale.levels, rows, strict=True), 1):
            for column, text in enumerate(cells):
                blocks = Blocks(grid[row_index][column])
                if column != 2 or not level.criteria:
                    add_run(blocks.paragraph(TABLE_TEXT), text)
                    continue
                if level.description:
                    add_run(blocks.paragraph(TABLE_TEXT), level.description)
                num_id = self.parts.numbering.new_list(ordered=False)
                for criterion in level.criteria:
                    item = blocks.paragraph("List Paragraph")
                    set_list_item(item, num_id, 0)
                    add_run(item, criterion)

    def _write_forms(self, document: Document) -> None:
        forms = [f for f in self.model.of_type(Form) if f.document == document.id]
        if not forms:
            return
        add_heading(self.blocks, "Forms of this document", 1, self.parts)
        rows = []
        for form in forms:
            used_by = self.model.incoming(form.id, "uses")
            rows.append([form.id, form.title, ", ".join(used_by) or "-"])
        self.simple_table(["Form", "Title", "Used by"], rows)

    def _write_flow(self) -> None:
        """Write which roles perform each procedure and which forms it uses."""
        procedures = [n for n in self.needs if isinstance(n, Procedure)
                      and (n.outgoing("uses") or n.outgoing("performed_by"))]
        if self.planned.procedure is not None or not procedures:
            return
        add_heading(self.blocks, "How the procedures connect", 1, self.parts)
        rows = [[describe_need(self.model, p.id),
                 "\n".join(describe_need(self.model, r) for r in p.outgoing("performed_by"))
                 or "-",
                 "\n".join(describe_need(self.model, f) for f in p.outgoing("uses")) or "-"]
                for p in procedures]
        self.simple_table(["Procedure", "Performed by", "Uses"], rows)

    def table_frame(self, header: list[str], rows: list[list[str]]) -> Table:
        """Add a table with ``header`` as its repeating first row and room for ``rows``.

        The column widths follow the texts of ``rows``; the caller fills the cells.
        """
        table = self.blocks.table(len(rows) + 1, len(header), "Content Table")
        set_column_widths(table, column_widths([header, *rows], self.parts.text_width))
        repeat_header_rows(table, 1)
        for cell, text in zip(cell_grid(table)[0], header, strict=True):
            add_run(Blocks(cell).paragraph(TABLE_TEXT), text, RunFormat(bold=True))
        return table

    def simple_table(self, header: list[str], rows: list[list[str]]) -> Table:
        """Write a table of plain text; a line break in a text starts a new line in its cell."""
        table = self.table_frame(header, rows)
        grid = cell_grid(table)
        for row_index, cells in enumerate(rows, start=1):
            for column, text in enumerate(cells):
                add_run(Blocks(grid[row_index][column]).paragraph(TABLE_TEXT), text)
        return table

    def _note(self, text: str) -> None:
        add_run(self.blocks.paragraph("Normal"), text, RunFormat(italic=True))


def describe_need(model: Model, need_id: str) -> str:
    """Return ``ID (title)`` of a need, ``ID (source clause)`` of a requirement, or the text."""
    need = model.needs.get(need_id)
    if isinstance(need, Requirement):
        return f"{need.id} ({need.source} {need.clause})"
    if need is not None:
        return f"{need.id} ({need.title})"
    return need_id


def _group_title(needs: list[Artifact], moved: list[tuple[Procedure, str]]) -> str:
    """Return the heading of needs without a section: their type's plural if they share one."""
    types = {n.type for n in needs} | ({"proc"} if moved else set())
    if len(types) == 1:
        return NEED_TYPES[types.pop()].plural
    return "Further items"
