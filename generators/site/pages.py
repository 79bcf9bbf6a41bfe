"""Render the generated MyST pages of the site from the model and its coverage.

``render_pages`` is a pure function: it returns the text of every page by path,
relative to the generated-sources folder, and a digest per page of what is filled in
when the page is written. Each page starts with front matter holding the
generated-file marker, ``orphan: true`` (so a project's own toctree decides where the
page appears) and a digest of what Sphinx reads from it: its text and the content of
the needs it defines. A page's text therefore changes exactly when that changes, and
Sphinx reads exactly those pages again.

What is filled in at write time (need links in both directions, the rows of the
per-requirement tables, where each linked need is placed) goes into the write digest
instead. When only that changes, the page is written again without being read again.
On the benchmark's matrix page of 200 rows, writing took 0.25 s and reading 0.19 s.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generators.coverage import Coverage, RequirementCoverage, format_percent
from generators.markup import plain_text
from generators.model import (
    Artifact,
    Document,
    EvidenceItem,
    Form,
    Model,
    Need,
    Procedure,
    Requirement,
    Role,
    Source,
)
from generators.output import GENERATED_MARKER
from generators.site.markdown import md_code, md_escape, need_ref, slug
from generators.site.paging import NEEDS_PER_PAGE, ROWS_PER_PAGE, page_name, paginate
from generators.site.tables import part_count, table_part, table_rows
from generators.template_cache import use_cache
from generators.templating import make_environment, render, template_dirs
from generators.trace_model import (
    ARTIFACT_TYPES,
    CONFIDENCE,
    LINK_TYPES,
    NEED_TYPES,
    PHASES,
    STATUSES,
)

GENERATED_FOLDER = "_generated"
"""Folder of generated pages inside the Sphinx source folder (``docs/``)."""

MAX_SINGLE_FORM_PAGES = 50
"""Up to this many forms, each form gets a page of its own."""

EVIDENCE_GROUP_TITLES = {
    "process-design": "Process design",
    "team-readiness": "Team readiness",
    "incident-execution": "Incident execution",
    "improvement": "Improvement follow-through",
}


_REF_LABEL = re.compile(r"\{ref\}`[^`<]*<([^`<>]+)>`")
"""A ``{ref}`` role with a title, as the ``need`` filter writes it; group 1 is the label."""

_NEED_ROLE = re.compile(r"\{need\}`([^`]+)`")
"""sphinx-needs' ``{need}`` role: ``ID`` or ``text <ID>``, where ID may name a part."""


def _need_roles(text: str) -> set[str]:
    """Return the ids of the needs that ``{need}`` roles in ``text`` refer to."""
    ids = set()
    for target in _NEED_ROLE.findall(text):
        titled = re.search(r"<([^<>]+)>\s*$", target)
        ids.add((titled.group(1) if titled else target).strip().split(".")[0])
    return ids


@dataclass(frozen=True)
class SiteOptions:
    """Options of the environment the pages are built in."""

    diagrams: bool
    """Whether Graphviz is available for needflow diagrams."""
    own_index: bool
    """Whether the project has its own ``index.md``; if not, a home page is generated."""
    template_cache: Path | None = None
    """Folder keeping compiled templates between builds; None compiles them each time."""


@dataclass(frozen=True)
class _Spec:
    """A planned page: what to render, and the needs whose rendering it depends on.

    ``defined`` needs are placed on the page; ``shown`` needs appear in a diagram;
    ``linked`` needs are linked by id from a table or list. Diagrams, links and
    ``data`` are filled in when the page is written.
    """

    template: str
    context: dict[str, Any]
    defined: list[str]
    shown: list[str]
    linked: list[str]
    data: str = ""
    """Text of what a directive on the page renders from the model, such as table rows."""


@dataclass(frozen=True)
class SitePages:
    """The generated pages: text and write digest, by path relative to the generated folder."""

    texts: dict[str, str]
    write_digests: dict[str, str]


def render_pages(model: Model, coverage: Coverage, options: SiteOptions) -> SitePages:
    """Return the text and the write digest of every generated page."""
    renderer = _Renderer(model, coverage, options)
    return renderer.pages()


class _Renderer:
    def __init__(self, model: Model, coverage: Coverage, options: SiteOptions) -> None:
        self.model = model
        self.coverage = coverage
        self.options = options
        self.environment = make_environment(
            template_dirs(model.project_dir, "site"),
            {"md": md_escape, "code": md_code, "need": need_ref, "slug": slug,
             "percent": format_percent, "plain": plain_text},
        )
        if options.template_cache is not None:
            use_cache(self.environment, options.template_cache, "site")
        self.sources = {name: f"requirements/{slug(name)}" for name in self._source_names()}
        self.by_label = {need_id.lower(): need_id for need_id in model.needs}
        self.reprs: dict[str, str] = {}

    def pages(self) -> SitePages:
        specs = self._plan()
        self.placement = {need_id: path.removesuffix(".md") for path, spec in specs.items()
                          for need_id in spec.defined}
        texts, digests = {}, {}
        for path, spec in specs.items():
            body = self._body(spec)
            texts[path] = self._page_text(spec, body)
            digests[path] = self._write_digest(spec, body)
        return SitePages(texts, digests)

    def _plan(self) -> dict[str, _Spec]:
        pages: dict[str, _Spec] = {}
        pages["coverage.md"] = self._page("coverage.md.j2", self._coverage_context())
        pages.update(self._table_pages("matrix", "matrix.md.j2", {}))
        gaps = self._gaps_context()
        pages["downloads.md"] = self._page("downloads.md.j2", {})
        pages["gaps.md"] = self._page("gaps.md.j2", gaps, linked=[
            row["req"].id for rows in gaps.values() for row in rows])
        pages.update(self._table_pages("applicability", "applicability.md.j2", {}))
        pages["requirements/index.md"] = self._page(
            "requirements-index.md.j2", self._coverage_context())
        for name, path in self.sources.items():
            pages.update(self._source_pages(name, path))
        pages["documents/index.md"] = self._page(
            "documents-index.md.j2", {"documents": self._document_rows()})
        for document in self.model.documents.values():
            pages.update(self._document_pages(document))
        pages.update(self._form_pages())
        pages.update(self._roles_pages())
        pages.update(self._evidence_pages())
        if not self.options.own_index:
            pages["index.md"] = self._page("index.md.j2", self._coverage_context())
        return pages

    def _form_pages(self) -> dict[str, _Spec]:
        """Return a page per form, or pages of up to NEEDS_PER_PAGE forms in a large project.

        Sphinx spends time per page and the navigation grows with pages times entries, so
        thousands of one-form pages would dominate the build.
        """
        forms = self.model.of_type(Form)
        if len(forms) <= MAX_SINGLE_FORM_PAGES:
            groups = [(slug(f.id), [f]) for f in forms]
        else:
            groups = [(f"forms-{n // NEEDS_PER_PAGE + 1:03d}", forms[n:n + NEEDS_PER_PAGE])
                      for n in range(0, len(forms), NEEDS_PER_PAGE)]
        listed = forms if len(forms) <= ROWS_PER_PAGE else []
        context = {"forms": listed, "form_count": len(forms), "table": "forms",
                   "pages": [name for name, _ in groups]}
        data = repr(table_rows("forms", self.model, self.coverage)) if listed else ""
        pages = {"forms/index.md": self._page("forms-index.md.j2", context,
                                              linked=[f.id for f in listed], data=data)}
        for name, members in groups:
            template = "form.md.j2" if len(members) == 1 and name == slug(members[0].id) \
                else "form-group.md.j2"
            pages[f"forms/{name}.md"] = self._page(
                template, {"form": members[0], "forms": members, "scales": self.model.scales},
                defined=[f.id for f in members])
        return pages

    # -- shared ---------------------------------------------------------------------

    def _page(self, template: str, context: dict[str, Any], *, defined: Iterable[str] = (),
              shown: Iterable[str] = (), linked: Iterable[str] = (), data: str = "") -> _Spec:
        """Plan a page: its template and context, and the needs it defines, shows or links."""
        return _Spec(template, context, list(defined), list(shown), list(linked), data)

    def _body(self, spec: _Spec) -> str:
        full = {
            "organization": self.model.organization,
            "today": self.coverage.today.isoformat(),
            "diagrams": self.options.diagrams,
            "sources": self.sources,
            "phases": PHASES,
            "statuses": STATUSES,
            "need_types": NEED_TYPES,
            "artifact_types": ARTIFACT_TYPES,
            "confidence": CONFIDENCE,
            **spec.context,
        }
        return render(self.environment, spec.template, full)

    def _page_text(self, spec: _Spec, body: str) -> str:
        digest = hashlib.sha256(body.encode())
        for need_id in spec.defined:
            digest.update(self._read_fingerprint(need_id).encode())
        return (f"---\n{GENERATED_MARKER}\n# digest: {digest.hexdigest()[:16]}\n"
                f"orphan: true\n---\n\n{body}")

    def _write_digest(self, spec: _Spec, body: str) -> str:
        """Return a digest of what is filled in when the page is written.

        Besides the links of the needs the page defines, that is every need the page
        refers to. A ``{ref}`` in its text shows where the need is placed. A ``{need}``
        in its text or in the content of its needs shows the need's title as well.
        """
        digest = hashlib.sha256(spec.data.encode())
        for need_id in spec.defined:
            digest.update(self._link_fingerprint(need_id).encode())
        for need_id in spec.shown:
            digest.update(f"{self.model.needs[need_id]!r}{self._where(need_id)}".encode())
        linked = dict.fromkeys(spec.linked)
        linked.update(dict.fromkeys(self.by_label[label] for label in _REF_LABEL.findall(body)
                                    if label in self.by_label))
        for need_id in linked:
            digest.update(f"{need_id}@{self._where(need_id)}".encode())
        texts = [body, *(self._repr(need_id) for need_id in spec.defined)]
        referred: set[str] = set()
        for text in texts:
            if "{need}" in text:
                referred |= _need_roles(text)
        for need_id in sorted(referred):
            need = self.model.needs.get(need_id)
            if need is not None:
                digest.update(f"{need_id}:{need.title}@{self._where(need_id)}".encode())
        return digest.hexdigest()[:16]

    def _repr(self, need_id: str) -> str:
        """Return the text of every field of a need, computed once per build."""
        text = self.reprs.get(need_id)
        if text is None:
            text = self.reprs[need_id] = repr(self.model.needs[need_id])
        return text

    def _where(self, need_id: str) -> str:
        return self.placement.get(need_id, "")

    def _read_fingerprint(self, need_id: str) -> str:
        """Return what the site reads of a need defined on a page: all its own content.

        That is the need itself, the scales its form fields take their choices from,
        and for a requirement its coverage status and evidence, which are need fields.
        """
        need = self.model.needs[need_id]
        parts = [self._repr(need_id)]
        if isinstance(need, Form):
            scales = dict.fromkeys(f.choices_from for f in need.iter_fields() if f.choices_from)
            parts.extend(repr(self.model.scales.get(name)) for name in scales)
        result = self.coverage.requirements.get(need_id)
        if result is not None:
            parts.append(result.status)
            parts.extend(result.evidenced_by)
        return "\n".join(parts)

    def _link_fingerprint(self, need_id: str) -> str:
        """Return the links of a need defined on a page, which sphinx-needs fills in.

        sphinx-needs adds the need's links in both directions when it writes the page,
        each shown as the linked need's id and pointing at the page that need is on.
        """
        need = self.model.needs[need_id]
        parts = []
        for link in LINK_TYPES:
            for source_id in self.model.incoming(need_id, link):
                parts.append(f"{link}<-{source_id}@{self._where(source_id)}")
            for target_id in need.outgoing(link):
                parts.append(f"{link}->{target_id}@{self._where(target_id)}")
        result = self.coverage.requirements.get(need_id)
        if result is not None:
            parts.extend(f"evidence<-{e}@{self._where(e)}" for e in result.evidenced_by)
        return "\n".join(parts)

    def _source_names(self) -> list[str]:
        names = list(self.model.sources)
        for req in self.model.requirements:
            if req.source not in names:
                names.append(req.source)
        return [n for n in names if any(r.source == n for r in self.model.requirements)]

    # -- coverage pages -------------------------------------------------------------

    def _coverage_context(self) -> dict[str, Any]:
        return {
            "totals": self.coverage.totals,
            "by_source": [(name, self.sources[name], totals, self.model.sources.get(name))
                          for name, totals in self.coverage.by_source.items()],
            "by_phase": [(PHASES[name], totals) for name, totals in self.coverage.by_phase.items()],
        }

    def _table_pages(self, name: str, template: str, context: dict[str, Any]
                     ) -> dict[str, _Spec]:
        """Plan the pages of table ``name``: one, or several of at most ROWS_PER_PAGE rows."""
        header, rows = table_rows(name, self.model, self.coverage)
        parts = [page_name(name, n) for n in range(1, part_count(rows) + 1)]
        pages = {}
        for number, path in enumerate(parts, start=1):
            shown_rows = table_part(rows, number)
            linked = [f.need_id for row in shown_rows for cell in row for f in cell
                      if f.need_id]
            pages[f"{path}.md"] = self._page(
                template, {**context, "table": name, "parts": parts, "part": number},
                linked=linked, data=repr((header, shown_rows)))
        return pages

    def _gaps_context(self) -> dict[str, Any]:
        def rows(status: str) -> list[dict[str, Any]]:
            return [{"result": r, "req": r.requirement, "page": self.sources[r.requirement.source],
                     "missing": ", ".join(NEED_TYPES[t].title.lower()
                                          for t in r.requirement.artifacts)}
                    for r in self.coverage.with_status(status)]
        return {"gaps": rows("gap"), "partial": rows("partial"), "excluded": rows("excluded")}

    def _source_pages(self, name: str, base: str) -> dict[str, _Spec]:
        source: Source | None = self.model.sources.get(name)
        reqs = [r for r in self.model.requirements if r.source == name]
        groups: dict[str, list[Requirement]] = {}
        for req in reqs:
            groups.setdefault(req.clause, []).append(req)
        if source is not None and source.clause_list:
            order = [c.clause for c in source.clause_list]
            order += [c for c in groups if c not in order]
        else:
            order = list(groups)
        entries = {c: source.clauses.get(c) if source else None for c in order}

        def clause(number: str, members: list[Requirement], continued: bool) -> dict[str, Any]:
            entry = entries[number]
            if entry is not None:
                title = entry.title
            elif members:
                title = members[0].clause_title
            else:
                title = ""
            return {"clause": number, "title": title, "entry": entry,
                    "requirements": members, "continued": continued,
                    "results": [self.coverage.requirements[r.id] for r in members]}

        pages = paginate([(c, groups.get(c, [])) for c in order], NEEDS_PER_PAGE)
        parts = [page_name(base, n) for n in range(1, len(pages) + 1)]
        silent = [clause(c, [], False) for c in order if not groups.get(c)]
        result = {}
        for number, page in enumerate(pages, start=1):
            clauses = [clause(p.key, p.items, p.continued) for p in page.pieces if p.items]
            context = {"name": name, "source": source, "clauses": clauses, "silent": silent,
                       "totals": self.coverage.by_source.get(name), "parts": parts,
                       "part": number, "summary": len(pages) == 1}
            result[f"{parts[number - 1]}.md"] = self._page(
                "requirements.md.j2", context,
                defined=[r.id for p in page.pieces for r in p.items])
        return result

    # -- artifact pages -------------------------------------------------------------

    def _document_rows(self) -> list[dict[str, Any]]:
        return [{"document": d, "page": slug(d.id),
                 "count": sum(1 for n in self.model.needs.values()
                              if isinstance(n, Artifact) and n.document == d.id)}
                for d in self.model.documents.values()]

    def _document_pages(self, document: Document) -> dict[str, _Spec]:
        members = [n for n in self.model.needs.values()
                   if isinstance(n, Artifact) and n.document == document.id
                   and not isinstance(n, Form)]
        groups: list[tuple[Any, list[Need]]] = [
            (section, [n for n in members if n.section == section.id])
            for section in document.sections]
        unsectioned = [n for n in members if n.section is None]
        if unsectioned:
            groups.append((None, unsectioned))
        forms = [f for f in self.model.of_type(Form) if f.document == document.id]
        scales = [s for s in self.model.scales.values() if s.document == document.id]
        flow = self._flow_ids(members)
        pages = paginate(groups, NEEDS_PER_PAGE)
        base = f"documents/{slug(document.id)}"
        parts = [page_name(base, n) for n in range(1, len(pages) + 1)]
        result = {}
        for number, page in enumerate(pages, start=1):
            sections = [{"section": p.key, "needs": p.items, "continued": p.continued}
                        for p in page.pieces]
            first = number == 1
            result[f"{parts[number - 1]}.md"] = self._page("document.md.j2", {
                "document": document, "sections": sections, "forms": forms,
                "scales": scales, "flow_ids": flow, "parts": parts, "part": number},
                defined=[n.id for p in page.pieces for n in p.items],
                shown=flow if first else [], linked=[f.id for f in forms] if first else [])
        return result

    def _flow_ids(self, members: list[Need]) -> list[str]:
        """Return the ids of a document's procedures and the forms and roles they link."""
        procedures = [n for n in members if isinstance(n, Procedure)
                      and (n.outgoing("uses") or n.outgoing("performed_by"))]
        if not procedures:
            return []
        ids = dict.fromkeys(p.id for p in procedures)
        for procedure in procedures:
            ids.update(dict.fromkeys(procedure.outgoing("uses") +
                                     procedure.outgoing("performed_by")))
        return list(ids)

    def _roles_pages(self) -> dict[str, _Spec]:
        roles = self.model.of_type(Role)
        unplaced = [r for r in roles if r.document is None
                    or r.document not in self.model.documents]
        pages = paginate([("Roles without a document", unplaced)], NEEDS_PER_PAGE)
        parts = [page_name("roles", n) for n in range(1, len(pages) + 1)]
        documents = {d.id: slug(d.id) for d in self.model.documents.values()}
        placed_by_page = [[r for piece in page.pieces for r in piece.items] for page in pages]
        role_pages = {r.id: number for number, placed in enumerate(placed_by_page, start=1)
                      for r in placed}
        result = {}
        for number, placed in enumerate(placed_by_page, start=1):
            listed = roles if len(roles) <= ROWS_PER_PAGE and number == 1 else []
            result[f"{parts[number - 1]}.md"] = self._page("roles.md.j2", {
                "roles": listed, "role_count": len(roles), "documents": documents,
                "role_pages": role_pages, "unplaced": placed, "parts": parts,
                "part": number},
                defined=[r.id for r in placed], linked=[r.id for r in listed])
        return result

    def _evidence_pages(self) -> dict[str, _Spec]:
        items = self.model.of_type(EvidenceItem)
        groups = [(title, [e for e in items if e.group == group])
                  for group, title in EVIDENCE_GROUP_TITLES.items()]
        pages = paginate([(t, members) for t, members in groups if members], NEEDS_PER_PAGE)
        parts = [page_name("evidence", n) for n in range(1, len(pages) + 1)]
        result = {}
        for number, page in enumerate(pages, start=1):
            shown = [{"title": p.key, "items": p.items, "continued": p.continued}
                     for p in page.pieces]
            result[f"{parts[number - 1]}.md"] = self._page("evidence.md.j2", {
                "groups": shown, "parts": parts, "part": number},
                defined=[e.id for p in page.pieces for e in p.items])
        return result
