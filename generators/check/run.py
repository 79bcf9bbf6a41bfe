"""Run a check: load, compute coverage, apply fail-on and baseline, write the report."""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from generators.check.baseline import BaselineError, read_baseline, write_baseline
from generators.check.machine import RENDERERS
from generators.check.placement import Placer
from generators.check.result import CheckResult, decide
from generators.check.text import render_summary, render_text
from generators.cli import EXIT_FINDINGS, EXIT_INVALID, EXIT_OK, fail_input
from generators.coverage import Coverage, compute_coverage
from generators.findings import Finding
from generators.loading.project import load_project
from generators.model import Model
from generators.output import atomic_write
from generators.settings import Settings

FORMATS = ("text", "json", "junit", "github", "sarif")


@dataclass(frozen=True)
class CheckOptions:
    """What the user asked of the check."""

    project_dir: Path
    report_format: str = "text"
    fail_on: tuple[str, ...] = ("gap",)
    baseline: Path | None = None
    write_baseline: Path | None = None
    output: Path | None = None
    today: dt.date | None = None
    exclude_drafts: bool = False


def run_check(options: CheckOptions) -> int:
    """Run the check; print or write the report; return the exit code."""
    result = load_project(options.project_dir)
    if result.model is None or result.settings is None:
        fail_input(result.findings)
    settings = result.settings
    today = options.today or settings.current_date()
    count_drafts = settings.count_drafts and not options.exclude_drafts
    coverage = compute_coverage(result.model, today, count_drafts=count_drafts)
    return report_check(options, settings, result.model, coverage)


def report_check(options: CheckOptions, settings: Settings, model: Model,
                 coverage: Coverage) -> int:
    """Report the check of a loaded project; return the exit code.

    ``coverage`` must be computed for the date and drafts that ``options`` ask for.
    """
    if not model.requirements:
        fail_input([_nothing_to_check(settings)])

    if options.write_baseline is not None:
        write_baseline(options.write_baseline, coverage.findings)
        click.echo(f"Recorded {len(coverage.findings)} finding(s) in the baseline "
                   f"{options.write_baseline}.")
        return EXIT_OK

    baseline = None
    if options.baseline is not None:
        try:
            baseline = read_baseline(options.baseline)
        except BaselineError as error:
            click.echo(f"iso27035: {error}", err=True)
            return EXIT_INVALID

    checked = decide(options.project_dir, settings.organization, coverage, options.fail_on,
                     baseline, options.baseline, Placer(settings, model))
    report = render_report(checked, options.report_format)
    if options.output is not None:
        atomic_write(options.output, report.encode("utf-8"))
        click.echo(render_summary(checked))
        click.echo(f"Report ({options.report_format}) written to {options.output}")
    else:
        sys.stdout.write(report)
    return EXIT_FINDINGS if checked.failed else EXIT_OK


def _nothing_to_check(settings: Settings) -> Finding:
    """Return the error for a project without requirements, since no gap could fail it."""
    needs = os.fspath(settings.needs_dir.relative_to(settings.project_dir.resolve()))
    source = ("'catalog: none' is set" if settings.catalog_dir is None
              else "the catalog defines none")
    return Finding(
        "project", f"no requirements to check: {source} and no need file under {needs}/ "
        "defines one", settings.catalog_at,
        f"set 'catalog:' to 'bundled' or to a folder of requirements, or add requirements "
        f"(type: req) under {needs}/")


def render_report(result: CheckResult, report_format: str) -> str:
    """Return the report in ``report_format``."""
    if report_format == "text":
        return render_text(result)
    return RENDERERS[report_format](result)
