"""The typed model of a project: needs, documents, sources, scales and exclusions.

The loader builds it from YAML and every later step reads it; nothing writes to it
after loading. Each record keeps the location it was written at, so any finding about
it can name the file and line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from generators.findings import Location
from generators.loading.convert import Duration
from generators.trace_model import LINK_TYPES


@dataclass(frozen=True, kw_only=True)
class Need:
    """Fields every need has."""

    id: str
    type: str
    title: str
    content: str = ""
    tags: tuple[str, ...] = ()
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)
    defined_at: Location
    content_at: Location | None = None
    field_locations: dict[str, Location] = field(default_factory=dict, compare=False)
    item_locations: dict[str, list[Location]] = field(default_factory=dict, compare=False)

    def where(self, name: str) -> Location:
        """Return the location of a field, or of the need when the field is absent."""
        return self.field_locations.get(name, self.defined_at)

    def where_item(self, name: str, index: int) -> Location:
        """Return the location of item ``index`` of a list field, else of the field."""
        items = self.item_locations.get(name, [])
        return items[index] if index < len(items) else self.where(name)

    def outgoing(self, link: str) -> tuple[str, ...]:
        """Return the ids this need links to through ``link``."""
        return self.links.get(link, ())


@dataclass(frozen=True, kw_only=True)
class Requirement(Need):
    """A requirement or recommendation, cited by source and clause."""

    source: str
    part: int | None
    edition: str | None
    clause: str
    clause_title: str
    confidence: str
    phase: str
    artifacts: tuple[str, ...]
    evidence: bool
    level: str


@dataclass(frozen=True, kw_only=True)
class Artifact(Need):
    """An artifact of the programme; ``status`` is its own or its document's."""

    status: str = "approved"
    document: str | None = None
    section: str | None = None


@dataclass(frozen=True, kw_only=True)
class PolicyStatement(Artifact):
    """A statement in a section of a policy document."""


@dataclass(frozen=True, kw_only=True)
class Procedure(Artifact):
    """A procedure, playbook, plan section or register."""

    kind: str = "procedure"
    trigger: str | None = None
    steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormField:
    """A field of a form."""

    name: str
    label: str
    type: str
    required: bool
    help: str | None
    choices: tuple[str, ...]
    choices_from: str | None
    defined_at: Location
    minimum: int | None = None
    maximum: int | None = None
    signature: bool = False
    """Whether the printed form has signature and date lines for this person."""


@dataclass(frozen=True)
class FormSection:
    """A section of a form; a repeating section takes one block per entry.

    ``name`` is the key of a repeating section's list of entries in a filled report;
    the loader derives it from the title when the author gives none. ``required``
    asks a repeating section for at least one entry.
    """

    title: str
    repeating: bool
    help: str | None
    fields: tuple[FormField, ...]
    name: str = ""
    required: bool = False
    defined_at: Location | None = None


@dataclass(frozen=True, kw_only=True)
class Form(Artifact):
    """A form, log or template, defined field by field."""

    sections: tuple[FormSection, ...] = ()

    def iter_fields(self) -> Iterator[FormField]:
        """Yield every field of every section, in order."""
        for section in self.sections:
            yield from section.fields


@dataclass(frozen=True)
class Contact:
    """One way to reach a role."""

    channel: str
    value: str
    note: str | None


@dataclass(frozen=True, kw_only=True)
class Role(Artifact):
    """A role or team with its terms of reference."""

    kind: str
    scope: str = "internal"
    responsibilities: tuple[str, ...] = ()
    authority: tuple[str, ...] = ()
    competencies: tuple[str, ...] = ()
    availability: str | None = None
    contacts: tuple[Contact, ...] = ()


@dataclass(frozen=True, kw_only=True)
class EvidenceItem(Need):
    """A record the programme keeps as evidence."""

    owner: str | None = None
    location: str | None = None
    group: str
    review_interval: Duration | None = None
    last_reviewed: dt.date | None = None
    retention: str | None = None
    attachments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Clause:
    """An entry of a source's clause index."""

    clause: str
    title: str
    confidence: str
    guidance: bool
    note: str | None
    defined_at: Location


@dataclass(frozen=True)
class Source:
    """A source of requirements: a part of ISO/IEC 27035, a law, a contract."""

    name: str
    title: str
    part: int | None
    edition: str | None
    level: str
    clause_list: tuple[Clause, ...]
    defined_at: Location
    clauses: dict[str, Clause] = field(init=False)

    def __post_init__(self) -> None:
        index: dict[str, Clause] = {}
        for clause in self.clause_list:
            index.setdefault(clause.clause, clause)
        object.__setattr__(self, "clauses", index)


@dataclass(frozen=True)
class HistoryEntry:
    """A row of a document's change history."""

    version: str
    date: dt.date
    author: str
    change: str


@dataclass(frozen=True)
class DocumentSection:
    """A section of a document."""

    id: str
    title: str
    text: str
    defined_at: Location
    text_at: Location | None


@dataclass(frozen=True)
class Document:
    """A controlled document of the programme, with its document control fields."""

    id: str
    kind: str
    title: str
    version: str
    status: str
    owner: str
    approver: str | None
    approved: dt.date | None
    next_review: dt.date | None
    review_interval: Duration | None
    last_reviewed: dt.date | None
    classification: str
    history: tuple[HistoryEntry, ...]
    intro: str
    intro_at: Location | None
    sections: tuple[DocumentSection, ...]
    defined_at: Location

    def review_due(self) -> dt.date | None:
        """Return when the next review is due: the stated date, else the last review (or
        the approval) plus the interval; None when neither can be known."""
        if self.next_review is not None:
            return self.next_review
        start = self.last_reviewed or self.approved
        if start is None or self.review_interval is None:
            return None
        return self.review_interval.after(start)

    def approved_on(self, today: dt.date) -> bool:
        """Return whether the document is approved and its approval date has come."""
        return self.status == "approved" and (self.approved is None or self.approved <= today)

    def section(self, section_id: str) -> DocumentSection | None:
        """Return the section with this id, or None."""
        return next((s for s in self.sections if s.id == section_id), None)


@dataclass(frozen=True)
class ScaleLevel:
    """A level of a scale."""

    value: str
    label: str
    description: str
    criteria: tuple[str, ...]
    response_target: str | None
    escalate_to: str | None


@dataclass(frozen=True)
class Scale:
    """A classification scale or label set: categories, severity levels, TLP labels."""

    id: str
    title: str
    description: str
    document: str | None
    levels: tuple[ScaleLevel, ...]
    defined_at: Location


ExclusionState = Literal["pending", "in force", "expired"]


@dataclass(frozen=True)
class Exclusion:
    """A requirement declared not applicable."""

    requirement: str
    justification: str
    approved_by: str
    date: dt.date
    expires: dt.date | None
    defined_at: Location
    field_locations: dict[str, Location] = field(default_factory=dict, compare=False)

    def where(self, name: str) -> Location:
        """Return the location of a field, or of the exclusion when the field is absent."""
        return self.field_locations.get(name, self.defined_at)

    def state(self, today: dt.date) -> ExclusionState:
        """Return whether the exclusion is in force on ``today``.

        It is 'pending' before its approval date and 'expired' after its expiry date.
        """
        if today < self.date:
            return "pending"
        if self.expires is not None and self.expires < today:
            return "expired"
        return "in force"


NeedT = TypeVar("NeedT", bound=Need)


@dataclass
class Model:
    """Everything loaded from a project, validated."""

    project_dir: Path
    organization: str
    allow_outside_paths: bool
    needs: dict[str, Need]
    sources: dict[str, Source]
    documents: dict[str, Document]
    scales: dict[str, Scale]
    exclusions: dict[str, Exclusion]
    files: tuple[Path, ...]
    untyped_ids: frozenset[str] = frozenset()
    """Ids of needs written without a valid type. They count as defined, so links to them
    are not reported as unknown. The loader returns no model that has any of them."""
    backlinks: dict[str, dict[str, tuple[str, ...]]] = field(init=False)

    def __post_init__(self) -> None:
        incoming: dict[str, dict[str, list[str]]] = {}
        for need in self.needs.values():
            for link, targets in need.links.items():
                for target in targets:
                    incoming.setdefault(target, {}).setdefault(link, []).append(need.id)
        self.backlinks = {
            target: {link: tuple(sorted(ids)) for link, ids in links.items()}
            for target, links in incoming.items()
        }

    def of_type(self, cls: type[NeedT]) -> list[NeedT]:
        """Return the needs of one class, in load order."""
        return [n for n in self.needs.values() if isinstance(n, cls)]

    def incoming(self, need_id: str, link: str) -> tuple[str, ...]:
        """Return the ids of needs that link to ``need_id`` through ``link``, sorted."""
        assert link in LINK_TYPES
        return self.backlinks.get(need_id, {}).get(link, ())

    @property
    def requirements(self) -> list[Requirement]:
        """All requirements, in load order."""
        return self.of_type(Requirement)
