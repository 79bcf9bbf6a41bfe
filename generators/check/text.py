"""Plain-text check report: the findings, the coverage summary and the verdict."""

from __future__ import annotations

from generators.check.result import CheckedFinding, CheckResult
from generators.coverage import format_percent
from generators.trace_model import PHASES


def render_text(result: CheckResult) -> str:
    """Return the findings one per line (with hints), then the summary and verdict."""
    lines = []
    for checked in result.findings:
        text = format_checked(checked)
        if checked.in_baseline:
            first, _, rest = text.partition("\n")
            text = f"{first} (in baseline)" + (f"\n{rest}" if rest else "")
        lines.append(text)
    return "\n".join([*lines, render_summary(result)]) + "\n"


def format_checked(checked: CheckedFinding) -> str:
    """Return the finding with its hint, at its own file and line as the user reads them.

    A file of the bundled catalog shows as ``<bundled catalog>/NAME``.
    """
    return checked.finding.format(where=checked.placement.origin)


def render_summary(result: CheckResult) -> str:
    """Return the coverage table per source and per phase, and the verdict."""
    coverage = result.coverage
    rows = [("Overall", coverage.totals)]
    rows += list(coverage.by_source.items())
    rows += [(PHASES[name], totals) for name, totals in coverage.by_phase.items()]
    width = max(len(name) for name, _ in rows)
    lines = ["", f"Coverage on {coverage.today.isoformat()}:",
             f"  {'':{width}}  {'total':>5} {'covered':>7} {'partial':>7} {'gap':>4} "
             f"{'excluded':>8} {'covered %':>9}"]
    for index, (name, totals) in enumerate(rows):
        if index in (1, 1 + len(coverage.by_source)):
            lines.append("")
        lines.append(f"  {name:{width}}  {totals.total:>5} {totals.covered:>7} "
                     f"{totals.partial:>7} {totals.gap:>4} {totals.excluded:>8} "
                     f"{format_percent(totals.percent_covered):>9}")
    lines.append("")
    lines.append(verdict(result))
    return "\n".join(lines)


def verdict(result: CheckResult) -> str:
    """Return one line saying whether the check passed and why."""
    counts: dict[str, int] = {}
    for finding in result.failing:
        counts[finding.kind] = counts.get(finding.kind, 0) + 1
    fail_on = ", ".join(result.fail_on) or "nothing"
    known = sum(1 for f in result.findings
                if f.in_baseline and f.finding.kind in result.fail_on)
    note = f"; {known} finding(s) in the baseline ignored" if known else ""
    if counts:
        listed = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
        return f"check failed: {listed} (failing on: {fail_on}{note})"
    return f"check passed: no finding of the kinds that fail (failing on: {fail_on}{note})"
