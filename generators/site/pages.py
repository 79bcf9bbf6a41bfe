"""Render the generated MyST pages of the site from the model and its coverage.

``render_pages`` is a pure function: it returns the text of every page by path,
relative to the generated-sources folder. Each page starts with front matter holding
the generated-file marker, ``orphan: true`` (so a project's own toctree decides where
the page appears) and a digest of everything the page shows, including what
sphinx-needs fills in at write time (back-links, need tables). A page's text therefore
changes exactly when what it shows changes, and Sphinx rebuilds exactly those pages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generators.coverage import Coverage, RequirementCoverage, format_percent
from generators.markup import plain_text
from generators.matrix import applicability_rows
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
FORMS_PER_GROUP = 200
"""Forms per page in a project with more forms than MAX_SINGLE_FORM_PAGES."""

EVIDENCE_GROUP_TITLES = {
    "process-design": "Process design",
    "team-readiness": "Team readiness",
    "incident-execution": "Incident execution",
    "improvement": "Improvement follow-through",
}


@dataclass(frozen=True)
class SiteOptions:
    """What the environment allows the pages to contain."""

    diagrams: bool
    """Whether Graphviz is available for needflow diagrams."""
    own_index: bool
    """Whether the project has its own ``index.md``; if not, a home page is generated."""


def render_pages(model: Model, coverage: Coverage, options: SiteOptions) -> dict[str, str]:
    """Return the text of every generated page, by path relative to the generated folder."""
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
        self.sources = {name: f"requirements/{slug(name)}" for name in self._source_names()}

    def pages(self) -> dict[str, str]:
        pages: dict[str, str] = {}
        pages["coverage.md"] = self._page("coverage.md.j2", self._coverage_context(),
                                          [r.id for r in self.model.requirements])
        pages["matrix.md"] = self._page("matrix.md.j2", self._matrix_context(),
                                        [r.id for r in self.model.requirements])
        pages["gaps.md"] = self._page("gaps.md.j2", self._gaps_context(),
                                      [r.id for r in self.model.requirements])
        header, rows = applicability_rows(self.coverage)
        pages["applicability.md"] = self._page("applicability.md.j2", {"rows": rows},
                                               [r.id for r in self.model.requirements])
        pages["requirements/index.md"] = self._page(
            "requirements-index.md.j2", self._coverage_context(), [])
        for name, path in self.sources.items():
            context, ids = self._source_context(name)
            pages[f"{path}.md"] = self._page("requirements.md.j2", context, ids)
        pages["documents/index.md"] = self._page(
            "documents-index.md.j2", {"documents": self._document_rows()}, [])
        for document in self.model.documents.values():
            context, ids = self._document_context(document)
            pages[f"documents/{slug(document.id)}.md"] = self._page("document.md.j2",
                                                                    context, ids)
        pages.update(self._form_pages())
        pages["roles.md"] = self._page("roles.md.j2", self._roles_context(),
                                       [r.id for r in self.model.of_type(Role)])
        pages["evidence.md"] = self._page("evidence.md.j2", self._evidence_context(),
                                          [e.id for e in self.model.of_type(EvidenceItem)])
        if not self.options.own_index:
            pages["index.md"] = self._page("index.md.j2", self._coverage_context(), [])
        return pages

    def _form_pages(self) -> dict[str, str]:
        """Return a page per form, or pages of up to FORMS_PER_GROUP forms in a large project.

        Sphinx spends time per page and the navigation grows with pages times entries, so
        thousands of one-form pages would dominate the build.
        """
        forms = self.model.of_type(Form)
        if len(forms) <= MAX_SINGLE_FORM_PAGES:
            groups = [(slug(f.id), [f]) for f in forms]
        else:
            groups = [(f"forms-{n // FORMS_PER_GROUP + 1:03d}", forms[n:n + FORMS_PER_GROUP])
                      for n in range(0, len(forms), FORMS_PER_GROUP)]
        pages = {"forms/index.md": self._page("forms-index.md.j2", {
            "forms": forms, "pages": [name for name, _ in groups]}, [f.id for f in forms])}
        for name, members in groups:
            template = "form.md.j2" if len(members) == 1 and name == slug(members[0].id) \
                else "form-group.md.j2"
            pages[f"forms/{name}.md"] = self._page(
                template, {"form": members[0], "forms": members, "scales": self.model.scales},
                [f.id for f in members])
        return pages

    # -- shared ---------------------------------------------------------------------

    def _page(self, template: str, context: dict[str, Any], need_ids: Iterable[str]) -> str:
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
            **context,
        }
        body = render(self.environment, template, full)
        digest = hashlib.sha256(body.encode())
        for need_id in sorted(set(need_ids)):
            digest.update(self._fingerprint(need_id).encode())
        return (f"---\n{GENERATED_MARKER}\n# digest: {digest.hexdigest()[:16]}\n"
                f"orphan: true\n---\n\n{body}")

    def _fingerprint(self, need_id: str) -> str:
        """Return what the site shows of a need, including data sphinx-needs adds later."""
        need = self.model.needs[need_id]
        parts = [repr(need)]
        for link in LINK_TYPES:
            for source_id in self.model.incoming(need_id, link):
                parts.append(f"{link}<-{source_id}:{self.model.needs[source_id].title}")
            for target_id in need.outgoing(link):
                target = self.model.needs.get(target_id)
                parts.append(f"{link}->{target_id}:{target.title if target else ''}")
        result = self.coverage.requirements.get(need_id)
        if result is not None:
            parts.append(repr((result.status, result.satisfied_by, result.evidenced_by)))
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

    def _matrix_context(self) -> dict[str, Any]:
        rows = []
        for result in self.coverage.requirements.values():
            req = result.requirement
            cells = []
            for need_type in ARTIFACT_TYPES:
                ids = [a for a in result.satisfied_by if self.model.needs[a].type == need_type]
                cells.append(_cell(ids, need_type in req.artifacts))
            cells.append(_cell(list(result.evidenced_by), req.evidence,
                               stale=list(result.stale_evidence)))
            rows.append({"result": result, "req": req, "cells": cells,
                         "page": self.sources[req.source]})
        return {"rows": rows, "columns": [NEED_TYPES[t].title for t in ARTIFACT_TYPES]
                + ["Evidence"]}

    def _gaps_context(self) -> dict[str, Any]:
        def rows(status: str) -> list[dict[str, Any]]:
            return [{"result": r, "req": r.requirement, "page": self.sources[r.requirement.source],
                     "missing": ", ".join(NEED_TYPES[t].title.lower()
                                          for t in r.requirement.artifacts)}
                    for r in self.coverage.with_status(status)]
        return {"gaps": rows("gap"), "partial": rows("partial"), "excluded": rows("excluded")}

    def _source_context(self, name: str) -> tuple[dict[str, Any], list[str]]:
        source: Source | None = self.model.sources.get(name)
        reqs = [r for r in self.model.requirements if r.source == name]
        groups: dict[str, list[Requirement]] = {}
        for req in reqs:
            groups.setdefault(req.clause, []).append(req)
        clauses = []
        if source is not None and source.clause_list:
            order = [c.clause for c in source.clause_list]
            order += [c for c in groups if c not in order]
        else:
            order = list(groups)
        for clause_number in order:
            entry = source.clauses.get(clause_number) if source else None
            members = groups.get(clause_number, [])
            title = entry.title if entry else (members[0].clause_title if members else "")
            clauses.append({
                "clause": clause_number,
                "title": title,
                "entry": entry,
                "requirements": members,
                "results": [self.coverage.requirements[r.id] for r in members],
            })
        totals = self.coverage.by_source.get(name)
        return {"name": name, "source": source, "clauses": clauses, "totals": totals}, [
            r.id for r in reqs]

    # -- artifact pages -------------------------------------------------------------

    def _document_rows(self) -> list[dict[str, Any]]:
        return [{"document": d, "page": slug(d.id),
                 "count": sum(1 for n in self.model.needs.values()
                              if isinstance(n, Artifact) and n.document == d.id)}
                for d in self.model.documents.values()]

    def _document_context(self, document: Document) -> tuple[dict[str, Any], list[str]]:
        members = [n for n in self.model.needs.values()
                   if isinstance(n, Artifact) and n.document == document.id
                   and not isinstance(n, Form)]
        sections = []
        for section in document.sections:
            sections.append({"section": section,
                             "needs": [n for n in members if n.section == section.id]})
        unsectioned = [n for n in members if n.section is None]
        forms = [f for f in self.model.of_type(Form) if f.document == document.id]
        scales = [s for s in self.model.scales.values() if s.document == document.id]
        flow = self._flow_ids(members)
        ids = [n.id for n in members] + [f.id for f in forms] + flow
        return {"document": document, "sections": sections, "unsectioned": unsectioned,
                "forms": forms, "scales": scales, "flow_ids": flow}, ids

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

    def _roles_context(self) -> dict[str, Any]:
        roles = self.model.of_type(Role)
        return {"roles": roles,
                "documents": {d.id: slug(d.id) for d in self.model.documents.values()},
                "unplaced": [r for r in roles if r.document is None
                             or r.document not in self.model.documents]}

    def _evidence_context(self) -> dict[str, Any]:
        groups = []
        items = self.model.of_type(EvidenceItem)
        for group, title in EVIDENCE_GROUP_TITLES.items():
            members = [e for e in items if e.group == group]
            if members:
                groups.append({"title": title, "items": members})
        return {"groups": groups}


def _cell(ids: list[str], expected: bool, stale: list[str] | None = None) -> str:
    """Return a matrix cell: the artifact ids, or whether one is missing."""
    parts = [need_ref(i) for i in ids]
    parts += [f"{need_ref(i)} (overdue)" for i in stale or []]
    if parts:
        return ", ".join(parts)
    return "**missing**" if expected else "-"


def generated_docname(relative: str) -> str:
    """Return the Sphinx docname of a generated page path: 'matrix.md' -> '_generated/matrix'."""
    return str(Path(GENERATED_FOLDER, relative).with_suffix("").as_posix())


def requirement_status(coverage: Coverage, need_id: str) -> RequirementCoverage | None:
    """Return the coverage of a requirement, or None for other needs."""
    return coverage.requirements.get(need_id)
