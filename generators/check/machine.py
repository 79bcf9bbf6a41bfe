"""Machine-readable check reports: JSON, JUnit XML, GitHub annotations and SARIF 2.1.0."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

from generators import __version__
from generators.check.result import CheckedFinding, CheckResult
from generators.check.text import format_checked, verdict
from generators.coverage import describe_requirement
from generators.findings import KINDS, display_path

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _path(checked: CheckedFinding) -> str | None:
    """Return the file reports annotate, relative to the working folder when inside it."""
    anchor = checked.placement.anchor
    if anchor is None:
        return None
    return display_path(anchor.path).replace(os.sep, "/")


def _line(checked: CheckedFinding) -> int | None:
    anchor = checked.placement.anchor
    return anchor.line if anchor else None


def render_json(result: CheckResult) -> str:
    """Return the result, totals and every finding as JSON."""
    coverage = result.coverage
    document = {
        "result": "failed" if result.failed else "passed",
        "verdict": verdict(result),
        "date": coverage.today.isoformat(),
        "organization": result.organization,
        "fail_on": list(result.fail_on),
        "totals": coverage.totals.as_dict(),
        "by_source": {name: t.as_dict() for name, t in coverage.by_source.items()},
        "by_phase": {name: t.as_dict() for name, t in coverage.by_phase.items()},
        "findings": [_finding_json(f) for f in result.findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _finding_json(checked: CheckedFinding) -> dict[str, Any]:
    finding = checked.finding
    placement = checked.placement
    defined_in = None
    if placement.defined_in is not None:
        defined_in = {"file": placement.defined_in, "line": placement.defined_line}
    return {
        "kind": finding.kind,
        "severity": finding.severity,
        "message": finding.message,
        "hint": finding.hint,
        "subject": finding.subject,
        "file": _path(checked),
        "line": _line(checked),
        "defined_in": defined_in,
        "fails": checked.fails,
        "in_baseline": checked.in_baseline,
    }


def render_junit(result: CheckResult) -> str:
    """Return JUnit XML: one test case per requirement and per other finding subject.

    A requirement's test case fails when one of its findings fails the check; other
    failing findings (an overdue evidence item, say) each get a failing test case of
    their own, so a CI test view lists exactly what blocks the build.
    """
    suites = ElementTree.Element("testsuites", name="iso27035 check")
    by_subject: dict[str, list[CheckedFinding]] = {}
    for checked in result.findings:
        by_subject.setdefault(checked.finding.subject or checked.finding.message, []).append(
            checked)

    requirement_cases = []
    for req_id, status in result.coverage.requirements.items():
        case = ElementTree.Element("testcase", classname=status.requirement.source,
                                   name=describe_requirement(status.requirement))
        _add_failures(case, by_subject.pop(req_id, []))
        if status.status == "excluded":
            ElementTree.SubElement(case, "skipped", message="excluded as not applicable")
        requirement_cases.append(case)
    _suite(suites, "requirements", requirement_cases)

    other_cases = []
    for subject, group in sorted(by_subject.items()):
        kinds = ", ".join(sorted({c.finding.kind for c in group}))
        case = ElementTree.Element("testcase", classname="trace health",
                                   name=f"{subject}: {kinds}")
        _add_failures(case, group)
        other_cases.append(case)
    _suite(suites, "trace health", other_cases)

    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(
        suites, encoding="unicode") + "\n"


def _add_failures(case: ElementTree.Element, checked: list[CheckedFinding]) -> None:
    failing = [c for c in checked if c.fails]
    if failing:
        first = failing[0].finding
        failure = ElementTree.SubElement(case, "failure", type=first.kind,
                                         message=first.message)
        failure.text = "\n".join(format_checked(c) for c in failing)
    notes = [format_checked(c) for c in checked if not c.fails]
    if notes:
        ElementTree.SubElement(case, "system-out").text = "\n".join(notes)


def _suite(parent: ElementTree.Element, name: str, cases: list[ElementTree.Element]) -> None:
    failures = sum(1 for c in cases if c.find("failure") is not None)
    skipped = sum(1 for c in cases if c.find("skipped") is not None)
    suite = ElementTree.SubElement(parent, "testsuite", name=name, tests=str(len(cases)),
                                   failures=str(failures), errors="0", skipped=str(skipped))
    suite.extend(cases)


def render_github(result: CheckResult) -> str:
    """Return GitHub Actions workflow commands: one annotation per finding, then the verdict."""
    lines = []
    for checked in result.findings:
        finding = checked.finding
        command = "error" if checked.fails else "warning"
        properties = [f"title={_escape_property(f'iso27035.{finding.kind}')}"]
        path = _path(checked)
        if path is not None:
            properties.insert(0, f"file={_escape_property(path)}")
            line = _line(checked)
            if line:
                properties.insert(1, f"line={line}")
        message = finding.message + checked.placement.origin_note()
        if finding.hint:
            message += f" (hint: {finding.hint})"
        lines.append(f"::{command} {','.join(properties)}::{_escape_data(message)}")
    lines.append(("::error::" if result.failed else "::notice::")
                 + _escape_data(verdict(result)))
    return "\n".join(lines) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_sarif(result: CheckResult) -> str:
    """Return a SARIF 2.1.0 log with one rule per finding kind and one result per finding."""
    kinds = sorted({c.finding.kind for c in result.findings})
    rules = [{
        "id": f"iso27035.{name}",
        "name": "".join(part.capitalize() for part in name.split("-")),
        "shortDescription": {"text": KINDS[name].description},
        "defaultConfiguration": {"level": KINDS[name].severity},
    } for name in kinds]
    results = []
    for checked in result.findings:
        finding = checked.finding
        text = finding.message + checked.placement.origin_note()
        entry: dict[str, Any] = {
            "ruleId": f"iso27035.{finding.kind}",
            "ruleIndex": kinds.index(finding.kind),
            "level": "error" if checked.fails else "warning",
            "message": {"text": text + (f". Hint: {finding.hint}." if finding.hint else ".")},
            "partialFingerprints": {"iso27035/v1": f"{finding.kind}:{finding.subject or ''}"},
        }
        anchor = checked.placement.anchor
        if anchor is not None:
            physical: dict[str, Any] = {"artifactLocation": _artifact_location(anchor.path)}
            if anchor.line:
                physical["region"] = {"startLine": anchor.line}
            entry["locations"] = [{"physicalLocation": physical}]
        if checked.in_baseline:
            entry["baselineState"] = "unchanged"
        results.append(entry)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "iso27035", "version": __version__, "rules": rules}},
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _artifact_location(path: Path) -> dict[str, str]:
    """Return a SARIF artifact location for ``path``.

    A file inside the working folder gets a URI relative to ``%SRCROOT%``. Any other
    file gets an absolute ``file://`` URI without a base, because SARIF allows a base
    only for a relative reference.
    """
    try:
        relative = path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return {"uri": path.resolve().as_uri()}
    return {"uri": quote(relative.as_posix()), "uriBaseId": "%SRCROOT%"}


RENDERERS = {
    "json": render_json,
    "junit": render_junit,
    "github": render_github,
    "sarif": render_sarif,
}
