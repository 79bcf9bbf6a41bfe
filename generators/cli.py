"""The ``iso27035`` command line: build the outputs of a project, or check its coverage.

Exit codes: 0 success; 1 the check failed (a gap, or another finding chosen to fail);
2 invalid input or usage; 130 interrupted with Ctrl+C.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import click

from generators import __version__
from generators.findings import Finding
from generators.output import OutputError

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INVALID = 2
EXIT_INTERRUPTED = 128 + 2
"""Exit code after Ctrl+C: 128 plus the number of SIGINT."""

_PROJECT_OPTION = click.option(
    "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
    default=Path("."), show_default=True,
    help="Project folder: the one holding iso27035.yaml, needs/ and docs/.",
)


class _Commands(click.Group):
    """The commands; an output that cannot be written ends one with exit code 2.

    Ctrl+C ends one with exit code 130, as SIGINT ends a shell command, rather than with
    click's 1, which here means that findings failed the check.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OutputError as error:
            click.echo(f"iso27035: {error}", err=True)
            ctx.exit(EXIT_INVALID)
        except KeyboardInterrupt:
            click.echo("\niso27035: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="iso27035")
def main() -> None:
    """Trace an ISO/IEC 27035 incident management programme from YAML and MyST sources."""


@contextlib.contextmanager
def _output_locked(project_dir: Path, out_dir: Path | None) -> Iterator[None]:
    """Hold the lock of the output folder, as ``build`` does, while a command writes into it."""
    from generators.output_lock import output_lock

    folder = (out_dir if out_dir is not None else project_dir / "_build").resolve()
    with output_lock(folder):
        yield


@main.command()
@_PROJECT_OPTION
@click.option("--format", "report_format", default="text", show_default=True,
              type=click.Choice(["text", "json", "junit", "github", "sarif"]),
              help="Report format: text, JSON, JUnit XML, GitHub workflow annotations or "
              "SARIF 2.1.0.")
@click.option("--fail-on", "fail_on", default="gap", show_default=True, metavar="KINDS",
              help="Comma-separated finding kinds that fail the check: gap, partial, stale, "
              "orphan, expired-exclusion, pending-exclusion, pending-approval, no-role, "
              "unused-form, no-owner, or 'all'.")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="Fail only on findings not recorded in this baseline file.")
@click.option("--write-baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="Record the current findings as the baseline in this file and exit 0.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file and print only the coverage summary.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Date to check against, YYYY-MM-DD (default: the project's 'today' or "
              "the system date).")
@click.option("--exclude-drafts", is_flag=True,
              help="Count only approved artifacts towards coverage.")
def check(project_dir: Path, report_format: str, fail_on: str, baseline: Path | None,
          write_baseline: Path | None, output: Path | None, today: dt.datetime | None,
          exclude_drafts: bool) -> None:
    """Check coverage without building the site.

    Exit 0 when no finding of the --fail-on kinds is left, 1 when one is, and 2 on
    invalid input or usage.
    """
    from generators.check.run import CheckOptions, run_check

    sys.exit(run_check(CheckOptions(
        project_dir=project_dir, report_format=report_format, fail_on=_fail_on_kinds(fail_on),
        baseline=baseline, write_baseline=write_baseline, output=output,
        today=today.date() if today else None, exclude_drafts=exclude_drafts,
    )))


def parse_jobs(value: str) -> int:
    """Return the number of parallel Sphinx processes that a ``-j`` value requests."""
    if value == "auto":
        return os.cpu_count() or 1
    try:
        count = int(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a number or 'auto'",
                                 param_hint="'-j'") from None
    if count < 1:
        raise click.BadParameter("must be at least 1", param_hint="'-j'")
    return count


def _checked_jobs(context: click.Context, parameter: click.Parameter, value: str) -> str:
    """Reject a ``-j`` value before any work starts; keep it as given."""
    parse_jobs(value)
    return value


def _fail_on_kinds(fail_on: str) -> tuple[str, ...]:
    """Return the finding kinds of a --fail-on value; reject an unknown kind."""
    from generators.check.result import parse_kinds

    try:
        return parse_kinds(fail_on.split(","))
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'--fail-on'") from None


@main.command()
@_PROJECT_OPTION
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Output folder.  [default: PROJECT/_build]")
@click.option("-j", "--jobs", default="1", show_default=True, callback=_checked_jobs,
              help="Parallel Sphinx processes: a number or 'auto'.")
@click.option("--fail-on", "fail_on", default="", metavar="KINDS",
              help="Finding kinds that make the build exit with 1 once every output is "
              "written, as for 'iso27035 check'.  [default: none]")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="With --fail-on, fail only on findings not recorded in this file.")
def build(project_dir: Path, out_dir: Path | None, jobs: str, fail_on: str,
          baseline: Path | None) -> None:
    """Build the site, the matrix files and the other outputs of a project.

    Exit 0 when every output is written, 1 when a finding of the --fail-on kinds is
    left, and 2 on invalid input or usage.
    """
    from generators.building import run_build

    sys.exit(run_build(project_dir, out_dir, jobs=jobs, fail_on=_fail_on_kinds(fail_on),
                       baseline=baseline))


@main.command()
@_PROJECT_OPTION
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Output folder; the site goes into its html/ folder.  "
              "[default: PROJECT/_build]")
@click.option("-j", "--jobs", default="1", show_default=True, callback=_checked_jobs,
              help="Parallel Sphinx processes: a number or 'auto'.")
@click.option("--fail-on", "fail_on", default="gap", show_default=True, metavar="KINDS",
              help="Finding kinds the check reports as failing, as for 'iso27035 check'.")
@click.option("--interval", type=click.FloatRange(min=0.05), default=0.5, show_default=True,
              help="Seconds between two looks at the project's files.")
def watch(project_dir: Path, out_dir: Path | None, jobs: str, fail_on: str,
          interval: float) -> None:
    """Build the site and check coverage, then again each time a project file changes.

    The site is built as by 'iso27035 build', without the Word, forms and matrix
    files; the report is that of 'iso27035 check'. Stop with Ctrl+C (exit 0).
    """
    from generators.watching import run_watch

    sys.exit(run_watch(project_dir, out_dir, jobs=jobs, fail_on=_fail_on_kinds(fail_on),
                       interval=interval))


@main.command("evidence-pack")
@_PROJECT_OPTION
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Output folder.  [default: PROJECT/_build]")
def evidence_pack(project_dir: Path, out_dir: Path | None) -> None:
    """Write the evidence pack: an index (HTML and workbook) of the evidence, as a zip too."""
    from generators.evidence_pack import run_evidence_pack

    with _output_locked(project_dir, out_dir):
        sys.exit(run_evidence_pack(project_dir, out_dir))


@main.command()
@_PROJECT_OPTION
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Output folder; the forms go into its forms/ folder.  "
              "[default: PROJECT/_build]")
def forms(project_dir: Path, out_dir: Path | None) -> None:
    """Write the blank Word form, the JSON Schema and a blank YAML report of each form."""
    from generators.forms.commands import run_forms

    with _output_locked(project_dir, out_dir):
        sys.exit(run_forms(project_dir, out_dir))


@main.command()
@_PROJECT_OPTION
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Output folder; the documents go into its word/ folder.  "
              "[default: PROJECT/_build]")
@click.option("--pdf", is_flag=True,
              help="Also write a PDF of each document (needs LibreOffice).")
def docx(project_dir: Path, out_dir: Path | None, pdf: bool) -> None:
    """Write the policy, plan, procedures and other documents as Word files.

    Exit 0 on success, 2 on invalid input or a template error (nothing is written
    then), and 1 when the Word files were written but the PDF conversion failed.
    """
    from generators.word.command import run_docx

    with _output_locked(project_dir, out_dir):
        sys.exit(run_docx(project_dir, out_dir, pdf=pdf))


@main.command("validate-report")
@click.argument("form_id")
@click.argument("report", type=click.Path(dir_okay=False, path_type=Path))
@_PROJECT_OPTION
def validate_report(form_id: str, report: Path, project_dir: Path) -> None:
    """Check a filled report (YAML or JSON) against form FORM_ID.

    Exit 0 when the report is complete, 1 listing each missing or invalid answer,
    and 2 when the report cannot be read or the form does not exist.
    """
    from generators.forms.commands import run_validate_report

    sys.exit(run_validate_report(form_id, report, project_dir, sys.stdout))


def fail_input(findings: list[Finding]) -> NoReturn:
    """Print input findings to stderr and exit with code 2."""
    print_findings(findings, sys.stderr)
    errors = sum(1 for f in findings if f.severity == "error")
    click.echo(f"iso27035: {errors} input error(s); nothing was written. Fix them and run "
               "again.", err=True)
    sys.exit(EXIT_INVALID)


def print_findings(findings: list[Finding], stream: object) -> None:
    """Print findings one per line (with hint lines) to ``stream``."""
    for finding in findings:
        click.echo(finding.format(), file=stream)  # type: ignore[arg-type]

