"""Directives: place needs from the model, show coverage, explain the trace model."""

from __future__ import annotations

from typing import Any, ClassVar

from docutils import nodes
from sphinx import addnodes
from sphinx.builders import Builder
from sphinx.domains.std import StandardDomain
from sphinx.errors import NoUri
from sphinx.transforms.post_transforms import ReferencesResolver, SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx_needs.api import InvalidNeedException, MarkupContent, add_need
from sphinx_needs.nodes import Need as NeedNode
from sphinx_needs.utils import add_doc

from generators.coverage import Totals, format_percent
from generators.findings import KINDS
from generators.loading.schema import (
    CLAUSE,
    CONTACT,
    DOCUMENT,
    DOCUMENT_SECTION,
    EXCLUSION,
    FORM_FIELD,
    FORM_SECTION,
    HISTORY_ENTRY,
    NEED_FILE,
    NEED_STRUCTS,
    SCALE,
    SCALE_LEVEL,
    SOURCE,
    Field,
    Struct,
)
from generators.model import (
    Artifact,
    EvidenceItem,
    Model,
    Need,
    Procedure,
    Requirement,
    Role,
)
from generators.settings import COVERAGE_SETTINGS, SETTINGS
from generators.site.need_content import need_markup
from generators.site.tables import Cell, part_count, table_part
from generators.sphinxext.project import COVERAGE_DIGEST, get_state
from generators.trace_model import CONFIDENCE, LINK_TYPES, NEED_TYPES, PHASES, STATUSES

logger = logging.getLogger(__name__)


class NeedsDirective(SphinxDirective):
    """Create the needs with the given ids from the model: ``{iso27035-needs} ID ID ...``.

    Each need is defined once in YAML; this directive is where the site shows it.
    Messages about a need's content point at the YAML file and line.
    """

    required_arguments = 1
    final_argument_whitespace = True
    has_content = False

    def run(self) -> list[nodes.Node]:
        state = get_state(self.env.app)
        add_doc(self.env, self.env.docname)
        result: list[nodes.Node] = []
        for need_id in self.arguments[0].split():
            need = state.model.needs.get(need_id)
            if need is None:
                logger.warning("iso27035-needs: no need with id %r in the project", need_id,
                               type="iso27035", subtype="unknown-link",
                               location=self.get_location())
                continue
            try:
                created = self._add(need, state.model, state.coverage.requirements)
            except InvalidNeedException as error:
                logger.warning("need %s could not be created: %s", need_id, error,
                               type="iso27035", subtype="project",
                               location=need.defined_at.display())
                continue
            # a label per need lets generated tables link it with the standard {ref} role,
            # which Sphinx resolves far faster than sphinx-needs resolves {need}
            for node in created:
                if isinstance(node, NeedNode):
                    node["names"].append(need_label(need_id))
                    self.state.document.note_explicit_target(node)
            result += created
        return result

    def _add(self, need: Need, model: Model, coverage: dict[str, Any]) -> list[nodes.Node]:
        content_at = need.content_at or need.defined_at
        content = MarkupContent(need_markup(need, model), markup=".md",
                                source=(str(content_at.path), content_at.line or 1))
        links = {name: list(need.outgoing(name)) for name in LINK_TYPES if need.outgoing(name)}
        return add_need(
            self.env.app, self.state, self.env.docname, self.lineno,
            need_type=need.type, title=need.title, id=need.id, content=content,
            status=need.status if isinstance(need, Artifact) else None,
            tags=list(need.tags) or None,
            **need_fields(need, coverage), **links,
        )


def need_label(need_id: str) -> str:
    """Return the reference label of a placed need: its id in lower case."""
    return need_id.lower()


def need_fields(need: Need, coverage: dict[str, Any]) -> dict[str, str]:
    """Return the sphinx-needs field values of a need, all as strings."""
    values: dict[str, Any] = {}
    if isinstance(need, Requirement):
        values = {
            "source": need.source, "part": need.part, "edition": need.edition,
            "clause": need.clause, "clause_title": need.clause_title,
            "confidence": need.confidence, "phase": PHASES[need.phase],
            "artifacts": ", ".join(NEED_TYPES[t].title.lower() for t in need.artifacts),
            "evidence": "expected" if need.evidence else "not expected",
            "level": need.level, "coverage": coverage[need.id].status,
            "evidence_items": ", ".join(coverage[need.id].evidenced_by) or None,
        }
    elif isinstance(need, EvidenceItem):
        values = {
            "owner": need.owner, "location": need.location, "group": need.group,
            "review_interval": need.review_interval, "last_reviewed": need.last_reviewed,
            "retention": need.retention,
        }
    elif isinstance(need, Artifact):
        values = {"document": need.document, "section": need.section}
        if isinstance(need, Procedure | Role):
            values["kind"] = need.kind
        if isinstance(need, Role):
            values["scope"] = need.scope
    return {name: str(value) for name, value in values.items() if value is not None}


class TablePlaceholder(nodes.General, nodes.Element):
    """Placeholder for a page of a per-requirement table, filled in when the page is written."""


class TableDirective(SphinxDirective):
    """Show a page of a per-requirement table: ``{iso27035-table} matrix 2``.

    The rows are filled in when the page is written, so that a change of rows only
    writes the page again (see FillTables).
    """

    required_arguments = 2
    has_content = False

    def run(self) -> list[nodes.Node]:
        state = get_state(self.env.app)
        name, part = self.arguments
        try:
            state.table(name)
            number = int(part)
        except ValueError as error:
            logger.warning("iso27035-table: %s", error, type="iso27035", subtype="project",
                           location=self.get_location())
            return []
        if number < 1:
            logger.warning("iso27035-table: page numbers start at 1, not %d", number,
                           type="iso27035", subtype="project", location=self.get_location())
            return []
        # A page beyond the table's last one is checked when written, since the table may grow.
        placeholder = TablePlaceholder(table=name, part=number)
        self.set_source_info(placeholder)
        return [placeholder]


class FillTables(SphinxPostTransform):
    """Fill in the rows of each table placeholder from the model of this build.

    Each need whose label is known is linked directly, so the cells need none of Sphinx's
    post-transforms. The rows are filled after those have run, so that these do not walk
    the hundreds of rows of a matrix page. A link that must be resolved the usual way is
    handed to Sphinx's reference resolver once the tables are filled. The tables are in
    place before the transforms of themes, which start at 500: Furo wraps each table in
    a container that scrolls.
    """

    default_priority = 450

    def run(self, **kwargs: Any) -> None:
        state = get_state(self.app)
        linker = _Linker(self.env.domains.standard_domain, self.app.builder, self.env.docname)
        for placeholder in list(self.document.findall(TablePlaceholder)):
            name, number = placeholder["table"], placeholder["part"]
            header, rows = state.table(name)
            last = part_count(rows)
            if number > last:
                logger.warning("iso27035-table: table %r has pages 1 to %d, not %d (hint: "
                               "give a page number in that range)", name, last, number,
                               type="iso27035", subtype="project", location=placeholder)
                placeholder.parent.remove(placeholder)
                continue

            placeholder.replace_self(table_nodes(header, table_part(rows, number), linker))

        if linker.pending:
            ReferencesResolver(self.document).apply()


class _Linker:
    """Links from one page to needs, made as Sphinx's ``ref`` role would make them."""

    def __init__(self, domain: StandardDomain, builder: Builder, docname: str) -> None:
        self.domain = domain
        self.builder = builder
        self.docname = docname
        self.pending = 0
        """The number of links left for Sphinx to resolve."""

    def link(self, need_id: str, text: str) -> nodes.Element:
        """Return a link to ``need_id`` showing ``text``.

        A label not yet known, or a page the builder cannot link to, gets a pending
        reference: Sphinx then resolves it or warns as usual.
        """
        label = need_label(need_id)
        docname, label_id = self.domain.anonlabels.get(label, ("", ""))
        if docname:
            try:
                return self.domain.build_reference_node(self.docname, self.builder, docname,
                                                        label_id, text, "ref")
            except NoUri:
                pass
        reference = addnodes.pending_xref("", refdomain="std", reftype="ref", reftarget=label,
                                          refexplicit=True, refwarn=True, refdoc=self.docname)
        reference += nodes.inline(text, text)
        self.pending += 1
        return reference


def table_nodes(header: list[str], rows: list[list[Cell]], linker: _Linker) -> nodes.table:
    """Return a table whose cells link to the needs they name."""
    table = simple_table(header, [])
    body = next(table.findall(nodes.tbody))
    for cells in rows:
        row = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            entry += _paragraph(cell, linker)
            row += entry
        body += row
    return table


def _paragraph(cell: Cell, linker: _Linker) -> nodes.paragraph:
    paragraph = nodes.paragraph()
    for fragment in cell:
        if fragment.need_id is not None:
            paragraph += linker.link(fragment.need_id, fragment.text)
        elif fragment.strong:
            paragraph += nodes.strong(fragment.text, fragment.text)
        else:
            paragraph += nodes.Text(fragment.text)
    return paragraph


class CoverageDirective(SphinxDirective):
    """Show the coverage totals overall, per source and per phase: ``{iso27035-coverage}``."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        state = get_state(self.env.app)
        self.env.note_dependency(str(state.generated_dir / COVERAGE_DIGEST))
        coverage = state.coverage
        header = ["", "Total", "Covered", "Partial", "Gap", "Excluded", "Covered %"]
        rows = [[name, *_counts(totals)] for name, totals in coverage.by_source.items()]
        rows.append(["All requirements", *_counts(coverage.totals)])
        phase_rows = [[PHASES[name], *_counts(t)] for name, t in coverage.by_phase.items()]
        summary = nodes.paragraph(text=(
            f"Coverage on {coverage.today.isoformat()}: {coverage.totals.covered} of "
            f"{coverage.totals.applicable} applicable requirements covered "
            f"({format_percent(coverage.totals.percent_covered)}), "
            f"{coverage.totals.partial} partial, "
            f"{coverage.totals.gap} not covered, {coverage.totals.excluded} excluded."))
        return [summary, simple_table(["Source", *header[1:]], rows),
                simple_table(["Phase", *header[1:]], phase_rows)]


def _counts(totals: Totals) -> list[str]:
    return [str(totals.total), str(totals.covered), str(totals.partial), str(totals.gap),
            str(totals.excluded), format_percent(totals.percent_covered)]


class TraceModelDirective(SphinxDirective):
    """Show the need types, link types, phases, statuses and finding kinds."""

    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        return [
            _titled("Need types", simple_table(
                ["Type", "Title", "Id prefix", "What it is"],
                [[t.name, t.title, t.prefix, t.description] for t in NEED_TYPES.values()])),
            _titled("Link types", simple_table(
                ["Link", "From", "To", "Shown on the target as", "Meaning"],
                [[link.name, ", ".join(link.sources), ", ".join(link.targets), link.incoming,
                  link.description] for link in LINK_TYPES.values()])),
            _titled("Coverage statuses", simple_table(
                ["Status", "Meaning"], [[name, text] for name, text in STATUSES.items()])),
            _titled("Phases", simple_table(
                ["Value", "Phase"], [[name, label] for name, label in PHASES.items()])),
            _titled("Confidence of clause numbers", simple_table(
                ["Value", "Meaning"], [[name, text] for name, text in CONFIDENCE.items()])),
        ]


class FindingKindsDirective(SphinxDirective):
    """Show every finding kind with its severity and meaning: ``{iso27035-finding-kinds}``."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        return [simple_table(
            ["Kind", "Input error", "Severity", "Meaning"],
            [[f"iso27035.{k.name}", "yes" if k.input_error else "no", k.severity,
              k.description] for k in KINDS.values()])]


class FormatDirective(SphinxDirective):
    """Show the fields of every record of the need files: ``{iso27035-format}``."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        result: list[nodes.Node] = []
        for title, struct in format_structs():
            result.append(_titled(title, simple_table(
                ["Field", "Value", "Required", "Meaning"],
                [[f.name, _kind_label(f), "yes" if f.required else "", f.description]
                 for f in struct.fields])))
        return result


def format_structs() -> list[tuple[str, Struct]]:
    """Return the records of the need files and the settings, with a title each."""
    structs = [("Need file (top-level keys)", NEED_FILE)]
    structs += [(f"Need type {name}: {NEED_TYPES[name].title.lower()}", struct)
                for name, struct in NEED_STRUCTS.items()]
    structs += [(s.name.capitalize(), s) for s in (
        FORM_SECTION, FORM_FIELD, CONTACT, SOURCE, CLAUSE, DOCUMENT, DOCUMENT_SECTION,
        HISTORY_ENTRY, SCALE, SCALE_LEVEL, EXCLUSION, SETTINGS, COVERAGE_SETTINGS)]
    return structs


def _kind_label(spec: Field) -> str:
    if spec.choices:
        prefix = "list of: " if spec.kind == "choices" else "one of: "
        return prefix + ", ".join(spec.choices)
    return {"text": "text", "markup": "MyST Markdown", "int": "whole number",
            "bool": "true or false", "date": "date YYYY-MM-DD",
            "duration": "interval, e.g. 12 months", "texts": "list of texts",
            "markups": "list of MyST Markdown texts", "ids": "list of need ids",
            "struct": "mapping", "structs": "list of mappings",
            "mapping": "mapping of need fields"}[spec.kind]


def _titled(title: str, table: nodes.table) -> nodes.Node:
    container = nodes.container()
    container += nodes.rubric(text=title)
    container += table
    return container


def simple_table(header: list[str], rows: list[list[str]]) -> nodes.table:
    """Return a docutils table of plain-text cells."""
    table = nodes.table()
    group = nodes.tgroup(cols=len(header))
    table += group
    for _ in header:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    group += head
    head += _row(header)
    body = nodes.tbody()
    group += body
    for cells in rows:
        body += _row(cells)
    return table


def _row(cells: list[str]) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        entry += nodes.paragraph(text=cell)
        row += entry
    return row
