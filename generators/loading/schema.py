"""The fields of every record in a need file, with their value kinds.

A ``Struct`` lists the fields a YAML mapping may have. ``generators.loading.convert``
checks a mapping node against it; the format reference page of the docs is rendered
from the same structs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from generators.trace_model import ARTIFACT_TYPES, CONFIDENCE, LINK_TYPES, NEED_TYPES, PHASES

ValueKind = Literal[
    "text",  # plain text on one line
    "markup",  # MyST Markdown
    "int",
    "bool",
    "date",  # YYYY-MM-DD
    "duration",  # "12 months", "90 days", "2 weeks", "1 year"
    "choice",  # one of Field.choices
    "choices",  # a list of Field.choices
    "texts",  # a list of plain texts
    "markups",  # a list of MyST Markdown snippets
    "ids",  # a list of need ids (a single id is accepted too)
    "struct",  # a mapping checked against Field.struct
    "structs",  # a list of such mappings
    "mapping",  # a free mapping, checked by its user (the file's defaults)
]


@dataclass(frozen=True)
class Field:
    """One field of a record."""

    name: str
    kind: ValueKind
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()
    struct: Struct | None = None


@dataclass(frozen=True)
class Struct:
    """The fields a mapping may have."""

    name: str
    fields: tuple[Field, ...]
    by_name: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})

    def merged(self, name: str, *more: Field) -> Struct:
        """Return a struct with these fields followed by ``more``."""
        return Struct(name, self.fields + more)


DOCUMENT_STATUSES = ("draft", "approved")
PROCEDURE_KINDS = ("procedure", "playbook", "plan", "register")
ROLE_KINDS = ("team", "role", "specialist")
ROLE_SCOPES = ("internal", "external")
EVIDENCE_GROUPS = ("process-design", "team-readiness", "incident-execution", "improvement")
FORM_FIELD_TYPES = (
    "text", "long-text", "date", "date-time", "choice", "multi-choice", "yes-no", "person",
    "number",
)
LEVELS = ("should", "shall")
DOCUMENT_KINDS = ("policy", "plan", "procedure", "terms-of-reference", "register", "other")
CONTACT_CHANNELS = ("phone", "email", "portal", "chat", "pager", "address", "other")

_COMMON = Struct("need", (
    Field("id", "text", "Unique id; starts with the type's prefix (REQ_, POL_ ...).", True),
    Field("type", "choice", "Need type.", True, tuple(NEED_TYPES)),
    Field("title", "text", "Short title, plain text.", True),
    Field("content", "markup", "Body text in MyST Markdown."),
    Field("tags", "texts", "Free tags for filtering."),
    *(Field(link.name, "ids", f"{link.description} From: {', '.join(link.sources)}; "
            f"to: {', '.join(link.targets)}.") for link in LINK_TYPES.values()),
))

_STATUS = Field(
    "status", "choice", "draft or approved; defaults to the status of the document.",
    choices=DOCUMENT_STATUSES,
)

CONTACT = Struct("contact", (
    Field("channel", "choice", "How to reach the role.", True, CONTACT_CHANNELS),
    Field("value", "text", "Number, address or link.", True),
    Field("note", "text", "When to use this channel."),
))

FORM_FIELD = Struct("form field", (
    Field("name", "text", "Machine name, lower_snake_case, unique in the form.", True),
    Field("label", "text", "Question or label shown to the person filling in.", True),
    Field("type", "choice", "Answer type.", True, FORM_FIELD_TYPES),
    Field("required", "bool", "Whether an answer is required (default false)."),
    Field("help", "text", "Help text shown under the label."),
    Field("choices", "texts", "Allowed answers of a choice or multi-choice field."),
    Field("choices_from", "text", "Id of a scale whose levels are the allowed answers."),
    Field("minimum", "int", "Smallest allowed answer of a number field."),
    Field("maximum", "int", "Largest allowed answer of a number field."),
    Field("signature", "bool", "Whether the person of a person field signs the printed "
          "form: it adds lines for the signature and the date (default false)."),
))

FORM_SECTION = Struct("form section", (
    Field("title", "text", "Section heading.", True),
    Field("name", "text", "Key of a repeating section's entries in a filled report, "
          "lower_snake_case (default: the title in lower_snake_case)."),
    Field("repeating", "bool", "One block per entry, as in a log (default false)."),
    Field("required", "bool", "Whether a repeating section needs at least one entry "
          "(default false)."),
    Field("help", "text", "Instructions for the section."),
    Field("fields", "structs", "Fields of the section.", True, struct=FORM_FIELD),
))

NEED_STRUCTS: dict[str, Struct] = {
    "req": _COMMON.merged(
        "requirement",
        Field("source", "text", "Name of the source (a standard part, law or contract).", True),
        Field("clause", "text", "Clause, article or section cited.", True),
        Field("clause_title", "text", "Title of the clause; taken from the clause index "
              "when the source has one."),
        Field("phase", "choice", "Incident management phase.", True, tuple(PHASES)),
        Field("artifacts", "choices", "Artifact types expected to satisfy it.", True,
              ARTIFACT_TYPES),
        Field("evidence", "bool", "Whether a kept record is expected as evidence."),
        Field("level", "choice", "should (recommendation) or shall (obligation); defaults "
              "to the source's level.", choices=LEVELS),
    ),
    "pol": _COMMON.merged(
        "policy statement",
        Field("document", "text", "Id of the policy document.", True),
        Field("section", "text", "Id of the section in that document.", True),
        _STATUS,
    ),
    "proc": _COMMON.merged(
        "procedure",
        Field("document", "text", "Id of the document holding the procedure.", True),
        Field("section", "text", "Id of the section in that document."),
        Field("kind", "choice", "procedure (default), playbook, plan or register.",
              choices=PROCEDURE_KINDS),
        Field("trigger", "text", "When the procedure starts."),
        Field("steps", "markups", "Numbered steps, each MyST Markdown."),
        _STATUS,
    ),
    "form": _COMMON.merged(
        "form",
        Field("document", "text", "Id of a document the form belongs to."),
        Field("sections", "structs", "Sections of the form.", True, struct=FORM_SECTION),
        _STATUS,
    ),
    "role": _COMMON.merged(
        "role",
        Field("kind", "choice", "team, role or specialist.", True, ROLE_KINDS),
        Field("scope", "choice", "internal (default) or external.", choices=ROLE_SCOPES),
        Field("document", "text", "Id of the terms of reference or register document."),
        Field("section", "text", "Id of the section in that document."),
        Field("responsibilities", "markups", "What the role does."),
        Field("authority", "markups", "What the role may decide."),
        Field("competencies", "texts", "Skills and qualifications expected."),
        Field("availability", "text", "When the role can be reached."),
        Field("contacts", "structs", "How to reach the role.", struct=CONTACT),
        _STATUS,
    ),
    "evid": _COMMON.merged(
        "evidence item",
        Field("owner", "text", "Id of the role that keeps the record."),
        Field("location", "text", "Where the record is kept (system, folder, register)."),
        Field("group", "choice", "Evidence pack group.", True, EVIDENCE_GROUPS),
        Field("review_interval", "duration", "How often it is reviewed: '12 months'."),
        Field("last_reviewed", "date", "Date of the last review."),
        Field("retention", "text", "How long records are kept."),
        Field("attachments", "texts", "Files of the project that hold the record, relative "
              "to the project folder; the evidence pack includes them."),
    ),
}

CLAUSE = Struct("clause", (
    Field("clause", "text", "Clause number: '6.5', '7.2.1', 'Annex C', or '12.x' where "
          "the subclause number is not known.", True),
    Field("title", "text", "Clause title.", True),
    Field("confidence", "choice", "How sure the number and title are.", True,
          tuple(CONFIDENCE)),
    Field("guidance", "bool", "Whether requirements cite the clause.", True),
    Field("note", "text", "Why no requirement cites it (required when guidance is false)."),
))

SOURCE = Struct("source", (
    Field("name", "text", "Name requirements cite in 'source:'.", True),
    Field("title", "text", "Full title.", True),
    Field("part", "int", "Part number, for a part of ISO/IEC 27035."),
    Field("edition", "text", "Edition or year."),
    Field("level", "choice", "Default level of its requirements.", choices=LEVELS),
    Field("clauses", "structs", "Clause index.", struct=CLAUSE),
))

HISTORY_ENTRY = Struct("change history entry", (
    Field("version", "text", "Version.", True),
    Field("date", "date", "Date of the change.", True),
    Field("author", "text", "Who made the change.", True),
    Field("change", "text", "What changed.", True),
))

DOCUMENT_SECTION = Struct("document section", (
    Field("id", "text", "Section id, referenced by needs' 'section:'.", True),
    Field("title", "text", "Section heading.", True),
    Field("text", "markup", "Prose of the section, MyST Markdown."),
))

DOCUMENT = Struct("document", (
    Field("id", "text", "Document id, e.g. IM-POL-01.", True),
    Field("kind", "choice", "What kind of document it is.", True, DOCUMENT_KINDS),
    Field("title", "text", "Document title.", True),
    Field("version", "text", "Version, e.g. '2.1'.", True),
    Field("status", "choice", "draft or approved.", True, DOCUMENT_STATUSES),
    Field("owner", "text", "Who owns the document.", True),
    Field("approver", "text", "Who approves it (required when approved)."),
    Field("approved", "date", "Approval date (required when approved)."),
    Field("next_review", "date", "Date the next review is due; default: last review (or "
          "approval) plus the review interval."),
    Field("review_interval", "duration", "How often it is reviewed: '12 months'."),
    Field("last_reviewed", "date", "Date of the last review."),
    Field("classification", "text", "Classification marking, e.g. INTERNAL.", True),
    Field("history", "structs", "Change history, oldest first.", struct=HISTORY_ENTRY),
    Field("intro", "markup", "Text before the first section, MyST Markdown."),
    Field("sections", "structs", "Sections in order.", struct=DOCUMENT_SECTION),
))

SCALE_LEVEL = Struct("scale level", (
    Field("value", "text", "Value stored in reports.", True),
    Field("label", "text", "Name shown to people.", True),
    Field("description", "text", "What the level means."),
    Field("criteria", "texts", "When the level applies."),
    Field("response_target", "text", "Target time to respond."),
    Field("escalate_to", "text", "Role id or body to escalate to."),
))

SCALE = Struct("scale", (
    Field("id", "text", "Scale id, lower-case with hyphens; forms cite it in "
          "'choices_from:'.", True),
    Field("title", "text", "Scale title.", True),
    Field("description", "markup", "What the scale is for."),
    Field("document", "text", "Id of the document that presents the scale."),
    Field("levels", "structs", "Levels in order.", True, struct=SCALE_LEVEL),
))

EXCLUSION = Struct("exclusion", (
    Field("requirement", "text", "Id of the requirement declared not applicable.", True),
    Field("justification", "markup", "Why it does not apply.", True),
    Field("approved_by", "text", "Who approved the exclusion.", True),
    Field("date", "date", "Date of approval; the exclusion counts from this date on.", True),
    Field("expires", "date", "Date after which the exclusion no longer counts; not before "
          "'date'."),
))

NEED_FILE = Struct("need file", (
    Field("sources", "structs", "Requirement sources with their clause index.", struct=SOURCE),
    Field("defaults", "mapping", "Fields applied to every need of the file."),
    Field("needs", "structs", "Need objects.", struct=_COMMON),
    Field("documents", "structs", "Documents of the programme.", struct=DOCUMENT),
    Field("scales", "structs", "Classification scales and label sets.", struct=SCALE),
    Field("exclusions", "structs", "Requirements declared not applicable.", struct=EXCLUSION),
))
