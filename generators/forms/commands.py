"""The ``forms`` and ``validate-report`` commands, and the forms step of ``build``."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import TextIO

import click

from generators.cli import EXIT_FINDINGS, EXIT_INVALID, EXIT_OK, fail_input, print_findings
from generators.findings import display_path
from generators.forms.blank_report import blank_report
from generators.forms.report_check import check_report
from generators.forms.report_file import read_report
from generators.forms.schema import form_schema, schema_json
from generators.forms.word import render_form
from generators.loading.project import load_project
from generators.model import Form, Model
from generators.output import OutputError, sync_generated_folder
from generators.reproducible import ReproducibilityError, build_timestamp
from generators.settings import Settings
from generators.templating import TemplateError
from generators.trace_model import NEED_TYPES

FORMS_FOLDER = "forms"
"""Folder of the forms inside the output folder."""
SCHEMAS_FOLDER = "schemas"
"""Folder of the JSON Schemas inside the forms folder."""
REPORTS_FOLDER = "reports"
"""Folder of the blank YAML reports inside the forms folder."""


class FormsError(Exception):
    """The forms cannot be rendered or written; the message says why and what to do."""


def render_forms(model: Model, settings: Settings) -> dict[str, bytes]:
    """Return every form's Word file and JSON Schema, by path relative to the forms folder.

    Raise FormsError when a template fails or SOURCE_DATE_EPOCH is invalid.
    """
    try:
        timestamp = build_timestamp(settings.current_date())
    except ReproducibilityError as error:
        raise FormsError(str(error)) from None
    files: dict[str, bytes] = {}
    for form in model.of_type(Form):
        try:
            files[f"{form.id}.docx"] = render_form(form, model, timestamp)
        except TemplateError as error:
            raise FormsError(f"form {form.id}: {error}") from None
        files[f"{SCHEMAS_FOLDER}/{form.id}.schema.json"] = schema_json(form_schema(form, model))
        files[f"{REPORTS_FOLDER}/{form.id}.yaml"] = blank_report(form, model).encode("utf-8")
    return files


def write_forms(model: Model, settings: Settings, folder: Path,
                files: dict[str, bytes] | None = None) -> int:
    """Render the forms in memory, then write them into ``folder``; return the form count.

    ``files`` are forms that ``render_forms`` rendered already. Files of forms removed
    since the last run are deleted. Raise FormsError when rendering fails (nothing is
    written then) or a file in ``folder`` was not written by iso27035.
    """
    if files is None:
        files = render_forms(model, settings)
    try:
        sync_generated_folder(folder, files)
    except OutputError as error:
        raise FormsError(str(error)) from None
    return len(model.of_type(Form))


def run_forms(project_dir: Path, out_dir: Path | None) -> int:
    """Write the Word form and JSON Schema of every form; return the exit code."""
    result = load_project(project_dir)
    if result.model is None or result.settings is None:
        fail_input(result.findings)
    out_dir = out_dir if out_dir is not None else project_dir / "_build"
    folder = out_dir / FORMS_FOLDER
    try:
        count = write_forms(result.model, result.settings, folder)
    except FormsError as error:
        click.echo(f"iso27035: {error}", err=True)
        return EXIT_INVALID
    click.echo(forms_summary(folder, count))
    return EXIT_OK


def forms_summary(folder: Path, count: int) -> str:
    """Return the line saying where the forms were written."""
    shown = display_path(folder)
    return (f"Forms:  {count} Word form(s) in {shown}/, their JSON Schemas in "
            f"{shown}/{SCHEMAS_FOLDER}/ and blank YAML reports in {shown}/{REPORTS_FOLDER}/")


def run_validate_report(form_id: str, report_path: Path, project_dir: Path,
                        out: TextIO) -> int:
    """Check a filled report against form ``form_id``; return the exit code.

    Exit 0 when the report is complete and valid, 1 with one line per missing or
    invalid answer, 2 when the project, the form or the report cannot be used.
    """
    result = load_project(project_dir)
    if result.model is None:
        fail_input(result.findings)
    model = result.model
    form = model.needs.get(form_id)
    if not isinstance(form, Form):
        click.echo(f"iso27035: {_unknown_form(form_id, model)}", err=True)
        return EXIT_INVALID
    if not report_path.is_file():
        problem = "does not exist" if not report_path.exists() else "is not a file"
        click.echo(f"iso27035: report {report_path} {problem}; give the path of the filled "
                   "report file", err=True)
        return EXIT_INVALID
    report, findings = read_report(report_path)
    if report is None:
        print_findings(findings, click.get_text_stream("stderr"))
        click.echo(f"iso27035: cannot read report {display_path(report_path)}; fix the report "
                   "file as shown above and run again", err=True)
        return EXIT_INVALID

    problems = check_report(form, model, report)
    shown = display_path(report_path)
    if problems:
        print_findings(problems, out)
        click.echo(f"{shown}: {len(problems)} answer(s) missing or invalid for form "
                   f"{form.id} ({form.title})", file=out)
        return EXIT_FINDINGS
    click.echo(f"{shown}: complete; every answer meets form {form.id} ({form.title})",
               file=out)
    return EXIT_OK


def _unknown_form(form_id: str, model: Model) -> str:
    forms = sorted(form.id for form in model.of_type(Form))
    need = model.needs.get(form_id)
    if need is not None:
        kind = NEED_TYPES[need.type].title.lower() if need.type in NEED_TYPES else need.type
        message = f"{form_id!r} is a {kind} in the project, not a form"
    else:
        message = f"no form with id {form_id!r} in the project"
    close = difflib.get_close_matches(form_id.upper(), forms, n=1, cutoff=0.6)
    if close:
        return f"{message}; did you mean {close[0]}?"
    if forms:
        return f"{message}; the forms of the project are: {', '.join(forms)}"
    return f"{message}, which defines no forms"
