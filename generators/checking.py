"""The ``check`` command: load, validate and compute coverage, without Sphinx."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import click

from generators.cli import EXIT_FINDINGS, EXIT_OK, fail_input, print_findings
from generators.coverage import Coverage, compute_coverage, format_percent
from generators.loading.project import load_project
from generators.trace_model import PHASES


def run_check(project_dir: Path, out: TextIO) -> int:
    """Check the project in ``project_dir``; return the exit code."""
    result = load_project(project_dir)
    if result.model is None or result.settings is None:
        fail_input(result.findings)
    settings = result.settings
    coverage = compute_coverage(result.model, settings.current_date(),
                                count_drafts=settings.count_drafts)
    print_findings(coverage.findings, out)
    write_summary(coverage, out)
    gaps = coverage.with_status("gap")
    if gaps:
        click.echo(f"check failed: {len(gaps)} applicable requirement(s) not covered", file=out)
        return EXIT_FINDINGS
    partial = len(coverage.with_status("partial"))
    click.echo(f"check passed: no applicable requirement is a gap ({partial} partial)",
               file=out)
    return EXIT_OK


def write_summary(coverage: Coverage, out: TextIO) -> None:
    """Write the coverage totals overall, per source and per phase as a text table."""
    rows = [("Overall", coverage.totals)]
    rows += [(name, totals) for name, totals in coverage.by_source.items()]
    rows += [(PHASES[name], totals) for name, totals in coverage.by_phase.items()]
    width = max(len(name) for name, _ in rows)
    click.echo(f"\nCoverage on {coverage.today.isoformat()}:", file=out)
    header = f"  {'':{width}}  {'total':>5} {'covered':>7} {'partial':>7} {'gap':>4} " \
             f"{'excluded':>8} {'covered %':>9}"
    click.echo(header, file=out)
    for index, (name, totals) in enumerate(rows):
        if index in (1, 1 + len(coverage.by_source)):
            click.echo("", file=out)
        click.echo(f"  {name:{width}}  {totals.total:>5} {totals.covered:>7} "
                   f"{totals.partial:>7} {totals.gap:>4} {totals.excluded:>8} "
                   f"{format_percent(totals.percent_covered):>9}", file=out)
    click.echo("", file=out)
