"""Settings of the Word export (``word:`` in iso27035.yaml) and the set of files they select.

By default every document of the need files becomes one .docx, ordered policy, plan,
procedures, terms of reference, registers, others, followed by the traceability
appendix. ``word.documents`` chooses the documents and their order instead; each entry
may name its own template and file name. A procedure document is written as one volume,
or with ``procedures: separate`` as a cover document plus one file per procedure.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from generators.findings import Finding, Location
from generators.loading.convert import Record
from generators.loading.schema import DOCUMENT_KINDS, Field, Struct
from generators.model import Artifact, Document, Form, Model, Procedure
from generators.paths import UnsafePathError, resolve_project_file
from generators.templating import template_dirs

PROCEDURE_MODES = ("volume", "separate")
DEFAULT_CLASSIFICATION = "INTERNAL"
TRACEABILITY_FILE = "traceability"
TEMPLATE_FOLDER = "word"
"""Subfolder of ``templates/`` holding the Word templates, in a project and bundled."""

KIND_TEMPLATES: dict[str, str] = {
    "policy": "policy_tpl.docx",
    "plan": "plan_tpl.docx",
    "procedure": "procedure_tpl.docx",
    "terms-of-reference": "terms_of_reference_tpl.docx",
    "register": "register_tpl.docx",
    "other": "document_tpl.docx",
}
"""Template of each document kind; docxtpl's convention NAME_tpl.docx renders NAME.docx."""
TRACEABILITY_TEMPLATE = "traceability_tpl.docx"

WORD_DOCUMENT = Struct("Word document", (
    Field("id", "text", "Id of a document of the need files.", True),
    Field("template", "text", "Word template for this document, relative to the project "
          "folder (default: the template of the document's kind)."),
    Field("file", "text", "Output file name without .docx (default: the document id)."),
    Field("procedures", "choice", "volume: the document in one file; separate: a cover "
          "document and one file per procedure (default: word.procedures for procedure "
          "documents, volume for the others).", choices=PROCEDURE_MODES),
))

TRACEABILITY_SETTINGS = Struct("traceability appendix", (
    Field("include", "bool", "Whether to write the appendix (default true)."),
    Field("document", "text", "Id of a document of the need files whose document control, "
          "intro and sections open the appendix (default: none; the appendix is then a "
          "generated draft)."),
    Field("classification", "text", "Classification marking of the appendix when it has no "
          f"document (default {DEFAULT_CLASSIFICATION})."),
    Field("template", "text", "Word template of the appendix, relative to the project folder."),
    Field("file", "text", f"Output file name without .docx (default {TRACEABILITY_FILE})."),
))

WORD_SETTINGS = Struct("Word settings", (
    Field("documents", "structs", "Documents to export, in this order (default: every "
          "document of the need files).", struct=WORD_DOCUMENT),
    Field("procedures", "choice", "volume (default): each procedure document in one file; "
          "separate: one file per procedure.", choices=PROCEDURE_MODES),
    Field("traceability", "struct", "The traceability appendix.", struct=TRACEABILITY_SETTINGS),
))


@dataclass(frozen=True)
class DocumentChoice:
    """An entry of ``word.documents``: a document to export, and how."""

    id: str
    template: str | None
    file: str | None
    procedures: str | None
    defined_at: Location
    field_locations: dict[str, Location] = field(default_factory=dict, compare=False)

    def where(self, name: str) -> Location:
        """Return the location of a field, or of the entry when the field is absent."""
        return self.field_locations.get(name, self.defined_at)


@dataclass(frozen=True)
class TraceabilityChoice:
    """The ``word.traceability`` settings."""

    include: bool = True
    document: str | None = None
    classification: str = DEFAULT_CLASSIFICATION
    template: str | None = None
    file: str | None = None
    defined_at: Location | None = None
    field_locations: dict[str, Location] = field(default_factory=dict, compare=False)

    def where(self, name: str) -> Location | None:
        """Return the location of a field, of the section, or None for the defaults."""
        return self.field_locations.get(name, self.defined_at)


@dataclass(frozen=True)
class WordSettings:
    """The ``word:`` section of the settings; the defaults export every document."""

    procedures: str = "volume"
    documents: tuple[DocumentChoice, ...] | None = None
    traceability: TraceabilityChoice = TraceabilityChoice()
    defined_at: Location | None = None


def read_word_settings(record: Record | None) -> WordSettings:
    """Return the Word settings of a converted ``word:`` mapping (None: the defaults)."""
    if record is None:
        return WordSettings()
    values = record.values
    documents = None
    if "documents" in values:
        documents = tuple(
            DocumentChoice(id=entry.values["id"], template=entry.values.get("template"),
                           file=entry.values.get("file"),
                           procedures=entry.values.get("procedures"),
                           defined_at=entry.location,
                           field_locations=dict(entry.field_locations))
            for entry in values["documents"] if "id" in entry.values)
    traceability = TraceabilityChoice(defined_at=record.location)
    trace_record = values.get("traceability")
    if trace_record is not None:
        trace = trace_record.values
        traceability = TraceabilityChoice(
            include=trace.get("include", True), document=trace.get("document"),
            classification=trace.get("classification", DEFAULT_CLASSIFICATION),
            template=trace.get("template"), file=trace.get("file"),
            defined_at=trace_record.location,
            field_locations=dict(trace_record.field_locations))
    return WordSettings(procedures=values.get("procedures", "volume"), documents=documents,
                        traceability=traceability, defined_at=record.location)


@dataclass(frozen=True)
class PlannedDocument:
    """A .docx file to write: its name, its template and what it shows.

    ``document`` is None only for a traceability appendix without a document of its
    own, which then carries ``classification``. ``procedure`` is set when one procedure
    of ``document`` is written on its own; ``separate`` lists, for a cover document, the
    procedures written to other files.
    """

    file_name: str
    template: Path
    document: Document | None
    procedure: Procedure | None = None
    separate: tuple[tuple[Procedure, str], ...] = ()
    traceability: bool = False
    classification: str = DEFAULT_CLASSIFICATION


def plan_documents(model: Model, word: WordSettings) -> tuple[list[PlannedDocument],
                                                                 list[Finding]]:
    """Return the files the Word export writes, in order, or the findings that prevent it.

    Every problem is reported with its place in the settings file: an unknown document
    id, a document listed twice, a missing template, an unusable or repeated file name.
    """
    planner = _Planner(model, word)
    planned = planner.plan()
    return (planned, []) if not planner.findings else ([], planner.findings)


class _Planner:
    def __init__(self, model: Model, word: WordSettings) -> None:
        self.model = model
        self.word = word
        self.findings: list[Finding] = []
        self.settings_at = word.defined_at or Location(model.project_dir / "iso27035.yaml")

    def plan(self) -> list[PlannedDocument]:
        trace = self.word.traceability
        trace_document = self._trace_document(trace)
        planned: list[PlannedDocument] = []
        for choice in self._choices(trace_document):
            planned += self._document_files(choice)
        if trace.include:
            template = self._template(trace.template, TRACEABILITY_TEMPLATE,
                                      trace.where("template"), "the traceability appendix")
            name = self._file_name(trace.file, TRACEABILITY_FILE, trace.where("file"))
            if template is not None and name is not None:
                planned.append(PlannedDocument(name, template, trace_document,
                                               traceability=True,
                                               classification=trace.classification))
        self._check_unique(planned)
        return planned

    def _trace_document(self, trace: TraceabilityChoice) -> Document | None:
        if not trace.include or trace.document is None:
            return None
        document = self.model.documents.get(trace.document)
        if document is None:
            self._unknown_document(trace.document, trace.where("document") or self.settings_at)
        return document

    def _choices(self, trace_document: Document | None) -> list[DocumentChoice]:
        """Return the documents to export: those configured, or every one but the appendix's."""
        if self.word.documents is None:
            ordered = sorted(self.model.documents.values(),
                             key=lambda d: DOCUMENT_KINDS.index(d.kind))
            return [DocumentChoice(d.id, None, None, None, self.settings_at) for d in ordered
                    if trace_document is None or d.id != trace_document.id]
        seen: dict[str, Location] = {}
        choices = []
        for choice in self.word.documents:
            if choice.id in seen:
                self.findings.append(Finding(
                    "duplicate-id", f"document {choice.id} is listed twice in word.documents "
                    f"(first at line {seen[choice.id].line})", choice.where("id"),
                    "list each document once"))
                continue
            seen[choice.id] = choice.defined_at
            if choice.id not in self.model.documents:
                self._unknown_document(choice.id, choice.where("id"))
                continue
            if trace_document is not None and choice.id == trace_document.id:
                self.findings.append(Finding(
                    "invalid-value", f"document {choice.id} opens the traceability appendix "
                    "and cannot be exported on its own as well", choice.where("id"),
                    "remove it from word.documents, or name another document in "
                    "word.traceability.document"))
                continue
            choices.append(choice)
        return choices

    def _document_files(self, choice: DocumentChoice) -> list[PlannedDocument]:
        document = self.model.documents[choice.id]
        template = self._template(choice.template, KIND_TEMPLATES[document.kind],
                                  choice.where("template"), f"document {document.id}")
        name = self._file_name(choice.file, document.id, choice.where("file"))
        if template is None or name is None:
            return []
        mode = choice.procedures or (self.word.procedures if document.kind == "procedure"
                                     else "volume")
        procedures = [n for n in document_needs(self.model, document)
                      if isinstance(n, Procedure)]
        if mode == "volume" or not procedures:
            return [PlannedDocument(name, template, document)]
        stem = name.removesuffix(".docx")
        separate = tuple((p, f"{stem}-{p.id}.docx") for p in procedures)
        return [PlannedDocument(name, template, document, separate=separate),
                *(PlannedDocument(file_name, template, document, procedure=procedure)
                  for procedure, file_name in separate)]

    def _template(self, configured: str | None, default: str, where: Location | None,
                  owner: str) -> Path | None:
        """Return the template path: the configured one, else the project's or the bundled."""
        if configured is None:
            folders = template_dirs(self.model.project_dir, TEMPLATE_FOLDER)
            found = [folder / default for folder in folders if (folder / default).is_file()]
            # a missing bundled template is reported when it is opened
            return found[0] if found else folders[-1] / default
        if not configured.lower().endswith(".docx"):
            self.findings.append(Finding(
                "invalid-value", f"Word template {configured!r} of {owner} is not a .docx file",
                where or self.settings_at, "save the template as a Word document (.docx)"))
            return None
        try:
            return resolve_project_file(self.model.project_dir, configured,
                                        allow_outside=self.model.allow_outside_paths)
        except UnsafePathError as error:
            self.findings.append(Finding(
                "unsafe-path", f"Word template of {owner} cannot be used: {error}",
                where or self.settings_at,
                "give a .docx file inside the project folder, for example "
                f"templates/word/{default}, or remove 'template:' to use the default one"))
            return None

    def _file_name(self, configured: str | None, default: str, where: Location | None
                   ) -> str | None:
        name = default if configured is None else configured
        if name.lower().endswith(".docx"):
            name = name[: -len(".docx")]
        problem = file_name_problem(name)
        if problem is not None:
            self.findings.append(Finding(
                "invalid-value", f"file name {name!r} {problem}", where or self.settings_at,
                "use letters, digits, spaces, hyphens, underscores and dots"))
            return None
        return f"{name}.docx"

    def _check_unique(self, planned: list[PlannedDocument]) -> None:
        """File names must differ even on file systems that ignore case."""
        seen: dict[str, PlannedDocument] = {}
        for item in planned:
            key = item.file_name.casefold()
            if key in seen:
                self.findings.append(Finding(
                    "invalid-value", f"two Word documents would be written to "
                    f"{item.file_name}: {_describe(seen[key])} and {_describe(item)}",
                    self.settings_at, "give one of them another 'file:' under word:"))
            else:
                seen[key] = item

    def _unknown_document(self, document_id: str, where: Location) -> None:
        known = list(self.model.documents)
        close = difflib.get_close_matches(document_id, known, n=1)
        hint = f"did you mean {close[0]}?" if close else \
            f"documents of the need files: {', '.join(known) or 'none'}"
        self.findings.append(Finding(
            "unknown-reference", f"word settings name document {document_id!r}, which no "
            "need file defines", where, hint))


_FORBIDDEN_CHARACTERS = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED_NAMES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                             *(f"LPT{i}" for i in range(1, 10))})


def file_name_problem(name: str) -> str | None:
    """Return why ``name`` cannot be a file name on Windows, macOS and Linux, or None."""
    if not name.strip():
        return "is empty"
    match = _FORBIDDEN_CHARACTERS.search(name)
    if match:
        return f"contains {match.group()!r}, which file names cannot contain"
    if name != name.strip(" ."):
        return "starts or ends with a space or a dot"
    if name.split(".")[0].upper() in _RESERVED_NAMES:
        return "is a device name that Windows reserves"
    return None


def _describe(item: PlannedDocument) -> str:
    if item.traceability:
        return "the traceability appendix"
    assert item.document is not None
    if item.procedure is not None:
        return f"procedure {item.procedure.id} of {item.document.id}"
    return f"document {item.document.id}"


def document_needs(model: Model, document: Document) -> list[Artifact]:
    """Return the needs placed in ``document``, section by section, forms excluded.

    Needs without a section come last; within a section they keep the order of the
    need files. Forms of a document are listed apart, as on the site.
    """
    members = [n for n in model.needs.values() if isinstance(n, Artifact)
               and n.document == document.id and not isinstance(n, Form)]
    order = {section.id: index for index, section in enumerate(document.sections)}
    return sorted(members, key=lambda n: order.get(n.section or "", len(order)))
