"""The ``iso27035`` command line: build the outputs of a project, or check its coverage.

Exit codes: 0 success; 1 the check failed (a gap, or another finding chosen to fail);
2 invalid input or usage.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from generators import __version__
from generators.findings import Finding

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INVALID = 2

_PROJECT_OPTION = click.option(
    "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
    default=Path("."), show_default=True,
    help="Project folder: the one holding iso27035.yaml, needs/ and docs/.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="iso27035")
def main() -> None:
    """Trace an ISO/IEC 27035 incident management programme from YAML and MyST sources."""


@main.command()
@_PROJECT_OPTION
def check(project_dir: Path) -> None:
    """Check coverage without building: exit 1 when an applicable requirement is a gap."""
    from generators.checking import run_check

    sys.exit(run_check(project_dir, sys.stdout))


@main.command()
@_PROJECT_OPTION
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Output folder.  [default: PROJECT/_build]")
@click.option("-j", "--jobs", default="1", show_default=True,
              help="Parallel Sphinx processes: a number or 'auto'.")
def build(project_dir: Path, out_dir: Path | None, jobs: str) -> None:
    """Build the site, the matrix files and the other outputs of a project."""
    from generators.building import run_build

    sys.exit(run_build(project_dir, out_dir, jobs=jobs))


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

