"""Decide which findings fail a check, given the kinds to fail on and a baseline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generators.check.placement import Placement, Placer
from generators.coverage import Coverage
from generators.findings import KINDS, Finding

DEFAULT_FAIL_ON = ("gap",)
CHECK_KINDS = tuple(name for name, kind in KINDS.items() if not kind.input_error)
"""Finding kinds a check can report (and fail on); the others are input errors."""


@dataclass(frozen=True)
class CheckedFinding:
    """A finding with what the check decided about it."""

    finding: Finding
    fails: bool
    in_baseline: bool
    placement: Placement


@dataclass(frozen=True)
class CheckResult:
    """The outcome of a check."""

    project_dir: Path
    organization: str
    coverage: Coverage
    fail_on: tuple[str, ...]
    findings: list[CheckedFinding]
    baseline: Path | None

    @property
    def failed(self) -> bool:
        """Whether any finding fails the check."""
        return any(f.fails for f in self.findings)

    @property
    def failing(self) -> list[Finding]:
        """The findings that fail the check."""
        return [f.finding for f in self.findings if f.fails]

    @property
    def today(self) -> dt.date:
        """The date the check was computed for."""
        return self.coverage.today


def fingerprint(finding: Finding) -> tuple[str, str]:
    """Return what identifies a finding across runs: its kind and its subject.

    Messages, lines and file names change as people edit; the kind and the id of the
    requirement, artifact or document concerned do not.
    """
    return finding.kind, finding.subject or finding.message


def parse_kinds(values: Iterable[str]) -> tuple[str, ...]:
    """Return the finding kinds named in ``values``, each once; ``all`` names every kind.

    Raise ValueError on an unknown kind.
    """
    kinds = tuple(dict.fromkeys(value.strip() for value in values if value.strip()))
    unknown = [kind for kind in kinds if kind not in CHECK_KINDS and kind != "all"]
    if unknown:
        raise ValueError(f"unknown finding kind(s) {', '.join(unknown)}; choose from "
                         f"{', '.join(CHECK_KINDS)} or 'all'")
    return CHECK_KINDS if "all" in kinds else kinds


def decide(project_dir: Path, organization: str, coverage: Coverage, fail_on: tuple[str, ...],
           baseline: set[tuple[str, str]] | None, baseline_path: Path | None,
           placer: Placer) -> CheckResult:
    """Mark each coverage finding as failing or not, and place it for the reports."""
    checked = []
    for finding in coverage.findings:
        known = baseline is not None and fingerprint(finding) in baseline
        checked.append(CheckedFinding(finding, finding.kind in fail_on and not known, known,
                                      placer.place(finding)))
    return CheckResult(project_dir, organization, coverage, fail_on, checked, baseline_path)
