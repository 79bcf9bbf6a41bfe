"""Build the typed model from converted records.

Building reports what it needs to resolve on the way (duplicate ids, a requirement's
unknown source or clause); ``generators.validation`` checks the finished model.

A record that lacks a required field, or whose value was invalid, is still built with
empty placeholders for the missing values. So the checks of the model still see its id,
type and links, and an invalid need does not turn every link to it into an unknown id.
Conversion has reported the missing field, and the loader never returns a model with
input errors, so no placeholder reaches an output.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from generators.findings import Finding
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

    needs: list[tuple[str | None, Record]] = field(default_factory=list)
    """Each need with its type. The type is None when it was missing or invalid, and then
    the record contains the id alone."""
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
    untyped: set[str] = set()
    defining = _defining_records(records, settings.catalog_dir)
    for need_type, record in records.needs:
        need_id = record.values.get("id")
        if need_id is None:
            continue  # reported as a missing field already
        if record is not defining[need_id]:
            findings.append(_duplicate_need(need_id, record, defining[need_id],
                                            settings.project_dir, settings.catalog_dir))
        elif need_type is None:
            untyped.add(need_id)
        else:
            needs[need_id] = _typed_need(need_type, record, sources, documents, findings)

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
        untyped_ids=frozenset(untyped),
    )
    return model, findings


def _defining_records(records: RawRecords, catalog_dir: Path | None) -> dict[str, Record]:
    """Return the record that defines each need id.

    That is the first record read. When a catalog file defines the id too, the catalog's
    copy wins, because the project cannot edit the bundled catalog.
    """
    defining: dict[str, Record] = {}
    for _, record in records.needs:
        need_id = record.values.get("id")
        if need_id is None:
            continue
        first = defining.get(need_id)
        if first is None or (_in_folder(record, catalog_dir)
                             and not _in_folder(first, catalog_dir)):
            defining[need_id] = record
    return defining


def _in_folder(record: Record, folder: Path | None) -> bool:
    return folder is not None and folder in record.location.path.parents


def _duplicate_need(need_id: str, record: Record, defining: Record, project_dir: Path,
                    catalog_dir: Path | None) -> Finding:
    if catalog_dir is not None and _in_folder(defining, catalog_dir) \
            and not _in_folder(record, catalog_dir):
        hint = "choose another id, because the catalog's ids cannot be reused"
        if need_id.startswith("REQ_"):
            hint += (". A requirement of your own names its source after REQ_, "
                     "e.g. REQ_NIS2_23_4_A_1")
        # The bundled catalog lies among the installed files, where its path means little.
        bundled = project_dir.resolve() not in catalog_dir.resolve().parents
        where = defining.location.display(catalog_dir if bundled else None)
        return Finding(
            "duplicate-id", f"id {need_id!r} is already used by the catalog, at {where}",
            record.where("id"), hint, need_id)
    where = defining.location.display()
    return Finding(
        "duplicate-id", f"id {need_id!r} is already used by the need at {where}",
        record.where("id"),
        "give one of the two needs another id; ids are unique across all files", need_id)


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
        first[value] = record
        try:
            built[value] = make(record)
        except KeyError:
            continue  # a required field without a placeholder is missing, reported already
    return built


def _typed_need(need_type: str, record: Record, sources: dict[str, Source],
                documents: dict[str, Document], findings: list[Finding]) -> Need:
    values = record.values
    common: dict[str, Any] = {
        "id": values["id"],
        "type": need_type,
        "title": values.get("title", ""),
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
            group=values.get("group", ""),
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
        sections = values.get("sections", ())
        return Form(**artifact, sections=tuple(_form_section(s) for s in sections
                                               if {"title", "fields"} <= s.values.keys()))
    if need_type == "role":
        return Role(
            **artifact,
            kind=values.get("kind", ""),
            scope=values.get("scope", "internal"),
            responsibilities=tuple(values.get("responsibilities", ())),
            authority=tuple(values.get("authority", ())),
            competencies=tuple(values.get("competencies", ())),
            availability=values.get("availability"),
            contacts=tuple(_contact(c) for c in values.get("contacts", ())
                           if {"channel", "value"} <= c.values.keys()),
        )
    raise AssertionError(f"unhandled need type {need_type}")


def _requirement(record: Record, common: dict[str, Any], sources: dict[str, Source],
                 findings: list[Finding]) -> Requirement:
    """Build the requirement, checking its source and clause where both were valid."""
    values = record.values
    need_id = values["id"]
    source_name, clause_number = values.get("source"), values.get("clause")
    source = None if source_name is None else sources.get(source_name)
    clause_title = values.get("clause_title")
    title_known = source_name is not None
    confidence = "confirmed"
    if source_name is not None and source is None:
        known = ", ".join(sorted(sources)) or "none declared"
        findings.append(Finding(
            "unknown-reference", f"requirement {need_id} cites unknown source "
            f"{source_name!r}", record.where("source"),
            f"declare the source under 'sources:' in a need file; known sources: {known}",
            need_id))
    elif source is not None and source.clauses:
        clause = None if clause_number is None else source.clauses.get(clause_number)
        title_known = clause_number is not None
        if clause is None and clause_number is not None:
            clause_title = clause_title or ""  # the missing clause is the finding
            findings.append(Finding(
                "catalog-clause", f"requirement {need_id} cites clause {clause_number!r}, "
                f"which is not in the clause index of {source.name}", record.where("clause"),
                "add the clause to the source's 'clauses:' list, or correct the number",
                need_id))
        elif clause is not None:
            clause_title = clause_title or clause.title
            confidence = clause.confidence
    if clause_title is None and title_known:
        findings.append(Finding(
            "missing-field", f"requirement {need_id} has no 'clause_title'", record.location,
            "add 'clause_title:'; it is taken from the clause index only when the source "
            "has one", need_id))
    return Requirement(
        **common,
        source=source_name or "",
        part=source.part if source else None,
        edition=source.edition if source else None,
        clause=clause_number or "",
        clause_title=clause_title or "",
        confidence=confidence,
        phase=values.get("phase", ""),
        artifacts=tuple(dict.fromkeys(values.get("artifacts", ()))),
        evidence=values.get("evidence", False),
        level=values.get("level") or (source.level if source else "should"),
    )


def _form_section(record: Record) -> FormSection:
    values = record.values
    return FormSection(
        title=values["title"],
        repeating=values.get("repeating", False),
        help=values.get("help"),
        fields=tuple(_form_field(f) for f in values.get("fields", ())
                     if {"name", "label", "type"} <= f.values.keys()),
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
        title=values.get("title", ""),
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
        kind=values.get("kind", ""),
        title=values.get("title", ""),
        version=values.get("version", ""),
        status=values.get("status", ""),
        owner=values.get("owner", ""),
        approver=values.get("approver"),
        approved=values.get("approved"),
        next_review=values.get("next_review"),
        review_interval=values.get("review_interval"),
        last_reviewed=values.get("last_reviewed"),
        classification=values.get("classification", ""),
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
                title=s.values.get("title", ""),
                text=s.values.get("text", ""),
                defined_at=s.location,
                text_at=s.content_locations.get("text"),
            )
            for s in values.get("sections", ())
            if "id" in s.values
        ),
        defined_at=record.location,
    )


def _scale(record: Record) -> Scale:
    values = record.values
    return Scale(
        id=values["id"],
        title=values.get("title", ""),
        description=values.get("description", ""),
        document=values.get("document"),
        levels=tuple(
            ScaleLevel(
                value=level.values["value"],
                label=level.values.get("label", ""),
                description=level.values.get("description", ""),
                criteria=tuple(level.values.get("criteria", ())),
                response_target=level.values.get("response_target"),
                escalate_to=level.values.get("escalate_to"),
            )
            for level in values.get("levels", ())
            if "value" in level.values
        ),
        defined_at=record.location,
    )


def _exclusion(record: Record) -> Exclusion:
    values = record.values
    # NOTE: an exclusion without a valid date is not built, so the checks of the model do
    # not see it until its date is fixed.
    return Exclusion(
        requirement=values["requirement"],
        justification=values.get("justification", ""),
        approved_by=values.get("approved_by", ""),
        date=values["date"],
        expires=values.get("expires"),
        defined_at=record.location,
        field_locations=dict(record.field_locations),
    )
