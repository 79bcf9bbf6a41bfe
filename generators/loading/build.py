"""Build the typed model from converted records.

Building reports what it needs to resolve on the way (duplicate ids, a requirement's
unknown source or clause); ``generators.validation`` checks the finished model.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from generators.findings import Finding, Location
from generators.loading.convert import Record
from generators.model import (
    Clause,
    Contact,
    Document,
    DocumentSection,
    EvidenceItem,
    Exclusion,
    Form,
    FormField,
    FormSection,
    HistoryEntry,
    Model,
    Need,
    PolicyStatement,
    Procedure,
    Requirement,
    Role,
    Scale,
    ScaleLevel,
    Source,
)
from generators.settings import Settings
from generators.trace_model import LINK_TYPES

T = TypeVar("T")


@dataclass
class RawRecords:
    """Converted records of all files, before the model is built."""

    needs: list[tuple[str, Record]] = field(default_factory=list)
    sources: list[Record] = field(default_factory=list)
    documents: list[Record] = field(default_factory=list)
    scales: list[Record] = field(default_factory=list)
    exclusions: list[Record] = field(default_factory=list)


def build_model(settings: Settings, files: list[Path],
                records: RawRecords) -> tuple[Model, list[Finding]]:
    """Return the model built from ``records``, and the findings made on the way."""
    findings: list[Finding] = []
    sources = _unique(records.sources, "name", "source", _source, findings)
    documents = _unique(records.documents, "id", "document", _document, findings)
    scales = _unique(records.scales, "id", "scale", _scale, findings)
    exclusions = _unique(records.exclusions, "requirement", "exclusion of requirement",
                         _exclusion, findings)

    needs: dict[str, Need] = {}
    first_seen: dict[str, Location] = {}
    for need_type, record in records.needs:
        values = record.values
        if "id" not in values:
            continue  # reported as a missing field already
        if values["id"] in first_seen:
            first = first_seen[values["id"]]
            findings.append(Finding(
                "duplicate-id",
                f"id {values['id']!r} is already used by the need at {first.display()}",
                record.where("id"),
                "give one of the two needs another id; ids are unique across all files",
                values["id"],
            ))
            continue
        first_seen[values["id"]] = record.location
        need = _need(need_type, record, sources, documents, findings)
        if need is not None:
            needs[need.id] = need

    model = Model(
        project_dir=settings.project_dir,
        organization=settings.organization,
        allow_outside_paths=settings.allow_outside_paths,
        needs=needs,
        sources=sources,
        documents=documents,
        scales=scales,
        exclusions=exclusions,
        files=tuple(files),
    )
    return model, findings


def _unique(records: list[Record], key: str, noun: str, make: Callable[[Record], T],
            findings: list[Finding]) -> dict[str, T]:
    """Build records keyed by ``key``, reporting duplicates; the first one wins."""
    built: dict[str, T] = {}
    first: dict[str, Record] = {}
    for record in records:
        if key not in record.values:
            continue
        value = record.values[key]
        if value in first:
            findings.append(Finding(
                "duplicate-id",
                f"{noun} {value!r} is already defined at {first[value].location.display()}",
                record.where(key),
                f"remove one of the two, or give it another {key}",
            ))
            continue
        try:
            built[value] = make(record)
        except KeyError:
            continue  # a required field is missing, reported already
        first[value] = record
    return built


def _need(need_type: str, record: Record, sources: dict[str, Source],
          documents: dict[str, Document], findings: list[Finding]) -> Need | None:
    """Return the typed need, or None when a required field is missing (reported already)."""
    try:
        return _typed_need(need_type, record, sources, documents, findings)
    except KeyError:
        return None


def _typed_need(need_type: str, record: Record, sources: dict[str, Source],
                documents: dict[str, Document], findings: list[Finding]) -> Need:
    values = record.values
    common: dict[str, Any] = {
        "id": values["id"],
        "type": need_type,
        "title": values["title"],
        "content": values.get("content", ""),
        "tags": tuple(values.get("tags", ())),
        "links": {name: tuple(values[name]) for name in LINK_TYPES if values.get(name)},
        "defined_at": record.location,
        "content_at": record.content_locations.get("content"),
        "field_locations": dict(record.field_locations),
        "item_locations": dict(record.item_locations),
    }
    if need_type == "req":
        return _requirement(record, common, sources, findings)
    if need_type == "evid":
        return EvidenceItem(
            **common,
            owner=values.get("owner"),
            location=values.get("location"),
            group=values["group"],
            review_interval=values.get("review_interval"),
            last_reviewed=values.get("last_reviewed"),
            retention=values.get("retention"),
            attachments=tuple(values.get("attachments", ())),
        )
    artifact = dict(common)
    document = documents.get(values.get("document", ""))
    artifact["status"] = values.get("status") or (document.status if document else "approved")
    artifact["document"] = values.get("document")
    artifact["section"] = values.get("section")
    if need_type == "pol":
        return PolicyStatement(**artifact)
    if need_type == "proc":
        return Procedure(
            **artifact,
            kind=values.get("kind", "procedure"),
            trigger=values.get("trigger"),
            steps=tuple(values.get("steps", ())),
        )
    if need_type == "form":
        return Form(**artifact, sections=tuple(_form_section(s) for s in values["sections"]))
    if need_type == "role":
        return Role(
            **artifact,
            kind=values["kind"],
            scope=values.get("scope", "internal"),
            responsibilities=tuple(values.get("responsibilities", ())),
            authority=tuple(values.get("authority", ())),
            competencies=tuple(values.get("competencies", ())),
            availability=values.get("availability"),
            contacts=tuple(_contact(c) for c in values.get("contacts", ())),
        )
    raise AssertionError(f"unhandled need type {need_type}")


def _requirement(record: Record, common: dict[str, Any], sources: dict[str, Source],
                 findings: list[Finding]) -> Requirement:
    values = record.values
    need_id = values["id"]
    source = sources.get(values["source"])
    clause_title = values.get("clause_title")
    confidence = "confirmed"
    if source is None:
        known = ", ".join(sorted(sources)) or "none declared"
        findings.append(Finding(
            "unknown-reference", f"requirement {need_id} cites unknown source "
            f"{values['source']!r}", record.where("source"),
            f"declare the source under 'sources:' in a need file; known sources: {known}",
            need_id))
    elif source.clauses:
        clause = source.clauses.get(values["clause"])
        if clause is None:
            clause_title = clause_title or ""  # the missing clause is the finding
            findings.append(Finding(
                "catalog-clause", f"requirement {need_id} cites clause {values['clause']!r}, "
                f"which is not in the clause index of {source.name}", record.where("clause"),
                "add the clause to the source's 'clauses:' list, or correct the number",
                need_id))
        else:
            clause_title = clause_title or clause.title
            confidence = clause.confidence
    if clause_title is None:
        findings.append(Finding(
            "missing-field", f"requirement {need_id} has no 'clause_title'", record.location,
            "add 'clause_title:'; it is taken from the clause index only when the source "
            "has one", need_id))
        clause_title = ""
    return Requirement(
        **common,
        source=values["source"],
        part=source.part if source else None,
        edition=source.edition if source else None,
        clause=values["clause"],
        clause_title=clause_title,
        confidence=confidence,
        phase=values["phase"],
        artifacts=tuple(dict.fromkeys(values["artifacts"])),
        evidence=values.get("evidence", False),
        level=values.get("level") or (source.level if source else "should"),
    )


def _form_section(record: Record) -> FormSection:
    values = record.values
    return FormSection(
        title=values["title"],
        repeating=values.get("repeating", False),
        help=values.get("help"),
        fields=tuple(_form_field(f) for f in values.get("fields", ())),
        name=values.get("name") or section_name(values["title"]),
        required=values.get("required", False),
        defined_at=record.location,
    )


def section_name(title: str) -> str:
    """Return the default key of a section: its title in lower_snake_case."""
    return "_".join(re.findall(r"[a-z0-9]+", title.lower()))


def _form_field(record: Record) -> FormField:
    values = record.values
    return FormField(
        name=values["name"],
        label=values["label"],
        type=values["type"],
        required=values.get("required", False),
        help=values.get("help"),
        choices=tuple(values.get("choices", ())),
        choices_from=values.get("choices_from"),
        defined_at=record.location,
        minimum=values.get("minimum"),
        maximum=values.get("maximum"),
        signature=values.get("signature", False),
    )


def _contact(record: Record) -> Contact:
    values = record.values
    return Contact(values["channel"], values["value"], values.get("note"))


def _source(record: Record) -> Source:
    values = record.values
    clauses = tuple(
        Clause(
            clause=item.values["clause"],
            title=item.values.get("title", ""),
            confidence=item.values.get("confidence", "inferred"),
            guidance=item.values.get("guidance", True),
            note=item.values.get("note"),
            defined_at=item.location,
        )
        for item in values.get("clauses", ())
        if "clause" in item.values
    )
    return Source(
        name=values["name"],
        title=values["title"],
        part=values.get("part"),
        edition=values.get("edition"),
        level=values.get("level", "should"),
        clause_list=clauses,
        defined_at=record.location,
    )


def _document(record: Record) -> Document:
    values = record.values
    return Document(
        id=values["id"],
        kind=values["kind"],
        title=values["title"],
        version=values["version"],
        status=values["status"],
        owner=values["owner"],
        approver=values.get("approver"),
        approved=values.get("approved"),
        next_review=values.get("next_review"),
        review_interval=values.get("review_interval"),
        last_reviewed=values.get("last_reviewed"),
        classification=values["classification"],
        history=tuple(
            HistoryEntry(h.values["version"], h.values["date"], h.values["author"],
                         h.values["change"])
            for h in values.get("history", ())
            if {"version", "date", "author", "change"} <= h.values.keys()
        ),
        intro=values.get("intro", ""),
        intro_at=record.content_locations.get("intro"),
        sections=tuple(
            DocumentSection(
                id=s.values["id"],
                title=s.values["title"],
                text=s.values.get("text", ""),
                defined_at=s.location,
                text_at=s.content_locations.get("text"),
            )
            for s in values.get("sections", ())
            if {"id", "title"} <= s.values.keys()
        ),
        defined_at=record.location,
    )


def _scale(record: Record) -> Scale:
    values = record.values
    return Scale(
        id=values["id"],
        title=values["title"],
        description=values.get("description", ""),
        document=values.get("document"),
        levels=tuple(
            ScaleLevel(
                value=level.values["value"],
                label=level.values["label"],
                description=level.values.get("description", ""),
                criteria=tuple(level.values.get("criteria", ())),
                response_target=level.values.get("response_target"),
                escalate_to=level.values.get("escalate_to"),
            )
            for level in values["levels"]
            if {"value", "label"} <= level.values.keys()
        ),
        defined_at=record.location,
    )


def _exclusion(record: Record) -> Exclusion:
    values = record.values
    return Exclusion(
        requirement=values["requirement"],
        justification=values["justification"],
        approved_by=values["approved_by"],
        date=values["date"],
        expires=values.get("expires"),
        defined_at=record.location,
    )
