"""Render one planned Word document: document control, table of contents and body.

The template receives plain values for the document control (escaped by docxtpl's
autoescaping) and two fragments of Word content, ``table_of_contents`` and ``body``,
which it places with ``{{p table_of_contents }}`` and ``{{p body }}``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generators.coverage import Coverage
from generators.docx_render import (
    docx_environment,
    open_template,
    render_docx,
    template_variables,
)
from generators.model import Document, Model
from generators.templating import TemplateError
from generators.word.appendix import write_appendix
from generators.word.configuration import PlannedDocument
from generators.word.content import BodyWriter
from generators.word.wordml import (
    Fragment,
    TemplateParts,
    keep_short_rows_together,
    write_table_of_contents,
)

KIND_LABELS = {
    "policy": "Policy",
    "plan": "Plan",
    "procedure": "Procedures",
    "terms-of-reference": "Terms of reference",
    "register": "Register",
    "other": "Document",
}
APPENDIX_TITLE = "Traceability appendix"
APPENDIX_ID = "TRACEABILITY"
"""Document id of an appendix that has no document of its own."""
NOT_SET = "-"
NOT_APPROVED = "Not approved"
OVERDUE = " (overdue)"
"""Appended to the next review date when it lies before the project's current date."""


@dataclass(frozen=True)
class RenderedDocument:
    """A rendered .docx file, held in memory until every document has rendered."""

    file_name: str
    data: bytes
    title: str
    draft: bool


def render_document(model: Model, coverage: Coverage, planned: PlannedDocument,
                    timestamp: dt.datetime, *, toc_field: bool = True) -> RenderedDocument:
    """Render ``planned`` with its template; raise TemplateError if the template fails.

    ``toc_field`` false leaves the TOC field out around the contents, for a copy that
    LibreOffice turns into a PDF with page numbers in the contents.
    """
    template = open_template(planned.template)
    parts = TemplateParts(template.get_docx(), planned.template)
    body = Fragment(parts)
    writer = BodyWriter(model, coverage, planned, body)
    if planned.traceability:
        write_appendix(writer)
    else:
        writer.write()
    keep_short_rows_together(body.body.element.body, parts.text_height)
    contents = Fragment(parts)
    write_table_of_contents(contents, parts.headings, "This document has no headings.",
                            as_field=toc_field)
    context = control_context(model, coverage, planned, timestamp)
    context.update(body=body, table_of_contents=contents)
    _check_placeholders(template, planned.template)
    _check_fragments_alone(template, planned.template)
    data = render_docx(template, planned.template, context, timestamp,
                       properties=_properties(context))
    return RenderedDocument(planned.file_name, data, context["title"], context["draft"])


FRAGMENTS = ("table_of_contents", "body")
"""Placeholders every document template must contain, each in a paragraph of its own."""


def _check_placeholders(template: Any, path: Path) -> None:
    """Raise TemplateError if the template is missing the contents or the body placeholder."""
    used = template_variables(template, path, docx_environment())
    missing = [name for name in FRAGMENTS if name not in used]
    if missing:
        tags = " and ".join(f"{{{{p {name} }}}}" for name in missing)
        where = "each in a paragraph of its own" if len(missing) > 1 else \
            "in a paragraph of its own"
        raise TemplateError(f"Word template {path} does not place {' and '.join(missing)}: "
                            f"add {tags}, {where}")


_PARAGRAPH_TAG = re.compile(r"<w:p[ >]|</w:p>")


def _check_fragments_alone(template: Any, path: Path) -> None:
    """Raise TemplateError if the contents or the body is placed inside a paragraph.

    A placeholder written inline (``Body: {{ body }}``) instead of in a paragraph of its
    own (``{{p body }}``) renders without error, but puts whole paragraphs inside a line
    of text, which Word and LibreOffice do not show.
    """
    xml = template.patch_xml(template.get_xml())
    for name in FRAGMENTS:
        for match in re.finditer(r"\{\{[-+]?\s*" + name + r"\s*[-+]?\}\}", xml):
            tags = _PARAGRAPH_TAG.findall(xml, 0, match.start())
            if tags and tags[-1] != "</w:p>":
                raise TemplateError(
                    f"Word template {path} places {name} inside a line of text, where Word "
                    f"does not show it: put {{{{p {name} }}}} in a paragraph of its own")


def control_context(model: Model, coverage: Coverage, planned: PlannedDocument,
                    timestamp: dt.datetime) -> dict[str, Any]:
    """Return the document control values of ``planned``, all plain text but ``draft``.

    A document is a draft unless its status is approved; a procedure written on its
    own is a draft when it or its document is. An appendix without a document of its
    own is always a draft, because no one approved the generated text.
    """
    document = planned.document
    if document is None:
        coverage_date = coverage.today.isoformat()
        control = {
            "id": APPENDIX_ID, "version": coverage_date,
            "status": "Draft", "owner": model.organization, "approver": NOT_SET,
            "approved": NOT_APPROVED, "last_reviewed": NOT_SET, "next_review": NOT_SET,
            "review_interval": NOT_SET,
            "classification": planned.classification,
        }
        return _context(model, APPENDIX_TITLE,
                        f"Coverage of the requirements on {coverage_date}", control, [],
                        draft=True, timestamp=timestamp)

    draft = not document.approved_on(coverage.today)
    title = APPENDIX_TITLE if planned.traceability else document.title
    subtitle = KIND_LABELS[document.kind]
    if planned.traceability:
        subtitle = f"{document.title} ({document.id})"
    control = _document_control(document, coverage.today)
    if planned.procedure is not None:
        procedure = planned.procedure
        draft = draft or procedure.status != "approved"
        title = procedure.title
        subtitle = f"Procedure {procedure.id} of {document.id} {document.title}"
        control["id"] = f"{document.id} {procedure.id}"
        if procedure.status != "approved":
            # the document's approval does not cover a procedure still in draft
            control.update(status="Draft", approver=NOT_SET, approved=NOT_APPROVED)
    history = [{"version": entry.version, "date": entry.date.isoformat(),
                "author": entry.author, "change": entry.change} for entry in document.history]
    return _context(model, title, subtitle, control, history, draft=draft,
                    timestamp=timestamp)


def _document_control(document: Document, today: dt.date) -> dict[str, str]:
    review_due = document.review_due()
    next_review = NOT_SET
    if review_due is not None:
        next_review = review_due.isoformat()
        if review_due < today:
            next_review += OVERDUE
    return {
        "id": document.id,
        "version": document.version,
        "status": document.status.capitalize() + (
            f" from {document.approved}" if document.status == "approved"
            and not document.approved_on(today) else ""),
        "owner": document.owner,
        "approver": document.approver or NOT_SET,
        "approved": document.approved.isoformat() if document.approved else NOT_APPROVED,
        "last_reviewed": document.last_reviewed.isoformat() if document.last_reviewed
        else NOT_SET,
        "next_review": next_review,
        "review_interval": str(document.review_interval) if document.review_interval
        else NOT_SET,
        "classification": document.classification,
    }


def _context(model: Model, title: str, subtitle: str, control: dict[str, str],
             history: list[dict[str, str]], *, draft: bool, timestamp: dt.datetime
             ) -> dict[str, Any]:
    notice = ""
    if draft:
        notice = (f"DRAFT: version {control['version']} of {control['id']} is not approved. "
                  "Do not rely on it until it is.")
    return {
        "organization": model.organization,
        "title": title,
        "subtitle": subtitle,
        "document": control,
        "draft": draft,
        "draft_notice": notice,
        "history": history,
        "generated": timestamp.date().isoformat(),
    }


def _properties(context: dict[str, Any]) -> dict[str, str]:
    """Return the core properties Word shows under File > Info."""
    control = context["document"]
    return {
        "title": context["title"],
        "subject": context["subtitle"],
        "identifier": control["id"],
        "version": control["version"],
        "content_status": control["status"],
        "category": control["classification"],
        "author": control["owner"],
        "last_modified_by": "",
        "comments": f"Generated by iso27035 from the need files of {context['organization']}.",
    }
