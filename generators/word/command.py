"""The ``docx`` command, and the Word step of ``build``: render every document, then write.

Every document renders in memory first. Invalid settings, a missing template or a
template that uses an unknown variable stop the run before any file is written.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
import jinja2
from lxml import etree

from generators.cli import EXIT_FINDINGS, EXIT_INVALID, EXIT_OK, fail_input
from generators.coverage import Coverage, compute_coverage
from generators.findings import Finding, display_path
from generators.loading.project import load_project
from generators.model import Model
from generators.output import OutputError, sync_generated_folder
from generators.reproducible import ReproducibilityError, build_timestamp
from generators.settings import Settings
from generators.templating import TemplateError
from generators.word.configuration import plan_documents
from generators.word.pdf import INSTALL_HINT, PdfError, convert_to_pdf, find_libreoffice
from generators.word.rendering import RenderedDocument, render_document

WORD_FOLDER = "word"
"""Folder of the Word documents inside the output folder."""


class WordExportError(Exception):
    """The Word documents cannot be rendered or written; the message states why."""

    def __init__(self, message: str, findings: list[Finding] | None = None) -> None:
        super().__init__(message)
        self.findings = findings or []


def render_word(model: Model, settings: Settings, coverage: Coverage, *,
                for_pdf: bool = False) -> list[RenderedDocument]:
    """Render every document the settings select; return them in order, in memory.

    ``for_pdf`` renders the copies that LibreOffice converts to PDF (see
    ``write_table_of_contents``). Raise WordExportError with findings when the
    ``word:`` settings do not fit the model, and with a message when a template fails
    or SOURCE_DATE_EPOCH is invalid.
    """
    planned, findings = plan_documents(model, settings.word)
    if findings:
        raise WordExportError("the word settings are invalid", findings)
    try:
        timestamp = build_timestamp(settings.current_date())
    except ReproducibilityError as error:
        raise WordExportError(str(error)) from None
    rendered = []
    for item in planned:
        try:
            rendered.append(render_document(model, coverage, item, timestamp,
                                            toc_field=not for_pdf))
        except TemplateError as error:
            raise WordExportError(f"{item.file_name}: {error}") from None
        except jinja2.TemplateError as error:
            raise WordExportError(f"{item.file_name}: Word template {item.template}: "
                                  f"{error}") from None
        except etree.XMLSyntaxError as error:
            raise WordExportError(
                f"{item.file_name}: Word template {item.template} gives a document that is "
                f"not valid XML ({error}); check that each {{% %}} tag stands alone in its "
                "paragraph or table row, as a {%p %} or {%tr %} tag") from None
    return rendered


def write_word(rendered: list[RenderedDocument], folder: Path,
               pdfs: dict[str, bytes] | None = None) -> None:
    """Write the documents (and PDFs) into ``folder``; remove files of earlier runs.

    Raise WordExportError when a file in ``folder`` was not written by iso27035.
    """
    files = {item.file_name: item.data for item in rendered}
    files.update(pdfs or {})
    try:
        sync_generated_folder(folder, files)
    except OutputError as error:
        raise WordExportError(str(error)) from None


def run_docx(project_dir: Path, out_dir: Path | None, *, pdf: bool) -> int:
    """Write the Word documents of the project, and PDFs if asked; return the exit code.

    Exit 0 on success, 2 on invalid input, a template error or missing LibreOffice
    (nothing is written then), and 1 when the .docx files were written but the PDF
    conversion failed.
    """
    program = None
    if pdf:
        program = find_libreoffice()
        if program is None:
            click.echo("iso27035: --pdf needs LibreOffice, which was not found on PATH; "
                       f"{INSTALL_HINT}. Nothing was written.", err=True)
            return EXIT_INVALID
    result = load_project(project_dir)
    if result.model is None or result.settings is None:
        fail_input(result.findings)
    model, settings = result.model, result.settings
    coverage = compute_coverage(model, settings.current_date(),
                                count_drafts=settings.count_drafts)
    folder = (out_dir if out_dir is not None else project_dir / "_build") / WORD_FOLDER
    try:
        rendered = render_word(model, settings, coverage)
    except WordExportError as error:
        return report_word_failure(error)

    pdfs: dict[str, bytes] = {}
    pdf_problem = None
    if program is not None:
        sources = render_word(model, settings, coverage, for_pdf=True)
        try:
            pdfs = convert_to_pdf({item.file_name: item.data for item in sources}, program)
        except PdfError as error:
            pdf_problem = str(error)
    try:
        write_word(rendered, folder, pdfs)
    except WordExportError as error:
        return report_word_failure(error)

    for item in rendered:
        marker = "  [DRAFT]" if item.draft else ""
        click.echo(f"  {item.file_name:<32} {item.title}{marker}")
    click.echo(word_summary(folder, len(rendered), len(pdfs)))
    if pdf_problem is not None:
        click.echo(f"iso27035: PDF conversion failed: {pdf_problem}. The .docx files were "
                   "written; open them in Word or LibreOffice and save them as PDF.",
                   err=True)
        return EXIT_FINDINGS
    return EXIT_OK


def word_summary(folder: Path, documents: int, pdfs: int = 0) -> str:
    """Return the line saying where the Word documents were written."""
    extra = f" and {pdfs} PDF(s)" if pdfs else ""
    return f"Word:   {documents} document(s){extra} in {display_path(folder)}{os.sep}"


def report_word_failure(error: WordExportError) -> int:
    """Print why the Word documents were not written; return exit code 2.

    Findings about the settings exit through ``fail_input`` with their locations.
    """
    if error.findings:
        fail_input(error.findings)
    click.echo(f"iso27035: {error}", err=True)
    click.echo("iso27035: nothing was written. Fix the problem and run again.", err=True)
    return EXIT_INVALID
