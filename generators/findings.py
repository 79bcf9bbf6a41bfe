"""Findings: every problem the tool reports, with its kind, location and hint.

The CLI prints a finding as ``path:line: error: message [iso27035.kind]``; the Sphinx
extension logs the same finding as a warning with ``type="iso27035"`` and the kind as
subtype, so ``suppress_warnings = ["iso27035.partial"]`` silences one kind.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class FindingKind:
    """A documented kind of finding."""

    name: str
    severity: Severity
    input_error: bool
    description: str


def _kinds(*kinds: FindingKind) -> dict[str, FindingKind]:
    names = [k.name for k in kinds]
    assert names == sorted(names), "keep the finding kinds sorted by name"
    return {k.name: k for k in kinds}


KINDS: dict[str, FindingKind] = _kinds(
    FindingKind("alias", "error", True, "A YAML anchor or alias; need files and reports do "
                "not use them."),
    FindingKind("bad-encoding", "error", True, "A file that is not UTF-8, or starts with a BOM."),
    FindingKind("catalog-clause", "error", True, "A catalog clause marked as carrying guidance "
                "that no requirement cites, or a requirement citing a clause not in the index."),
    FindingKind("duplicate-id", "error", True, "Two records with the same id, in one file or two."),
    FindingKind("duplicate-key", "error", True, "A key given twice in one YAML mapping."),
    FindingKind("empty-file", "error", True, "A need file with no content."),
    FindingKind("expired-exclusion", "warning", False, "An exclusion past its expiry date; "
                "the requirement counts as applicable again."),
    FindingKind("file-too-large", "error", True, "A file larger than the size limit."),
    FindingKind("gap", "error", False, "An applicable requirement that nothing satisfies."),
    FindingKind("id-rule", "error", True, "An id that does not follow the id rule of its type."),
    FindingKind("invalid-date", "error", True, "A date that is not a valid YYYY-MM-DD date, "
                "or an exclusion that expires before its approval date."),
    FindingKind("invalid-value", "error", True, "A value outside the allowed set of a field."),
    FindingKind("missing-field", "error", True, "A required field that is absent or empty."),
    FindingKind("no-owner", "warning", False, "An evidence item without an owner role."),
    FindingKind("no-role", "warning", False, "A procedure that no role performs."),
    FindingKind("orphan", "warning", False, "An artifact that satisfies no requirement, or an "
                "evidence item that proves nothing."),
    FindingKind("partial", "warning", False, "A satisfied requirement whose expected evidence "
                "is missing."),
    FindingKind("pending-approval", "warning", False, "A document approved with a date "
                "after today; its exports are marked DRAFT until that date."),
    FindingKind("pending-exclusion", "warning", False, "An exclusion whose approval date "
                "lies after today; the requirement counts as applicable until that date."),
    FindingKind("project", "error", True, "A project folder or settings file that cannot be used."),
    FindingKind("self-link", "error", True, "A need that links to itself."),
    FindingKind("stale", "warning", False, "A document or evidence item overdue for review."),
    FindingKind("tab", "error", True, "A tab character in YAML indentation."),
    FindingKind("unknown-field", "error", True, "A field the record type does not have."),
    FindingKind("unknown-link", "error", True, "A link to an id that no need has."),
    FindingKind("unknown-reference", "error", True, "A reference to an unknown document, "
                "section, scale, source, clause or role."),
    FindingKind("unsafe-markup", "error", True, "Markup that would read files or inject raw "
                "output (raw, include and similar directives)."),
    FindingKind("unsafe-path", "error", True, "A file reference that leaves the project "
                "folder, through '..', an absolute path or a symbolic link, or names no file; "
                "or a need file, template or page that is a symbolic link out of the project."),
    FindingKind("unsafe-tag", "error", True, "A YAML tag other than the standard scalar and "
                "collection tags, such as !!python/object."),
    FindingKind("unused-form", "warning", False, "A form that no procedure uses."),
    FindingKind("wrong-link-kind", "error", True, "A link from or to a need type that the link "
                "type does not join, or an evidence owner that is not a role."),
    FindingKind("wrong-type", "error", True, "A value of the wrong type: a list where text is "
                "expected, text where a number is expected."),
    FindingKind("yaml-syntax", "error", True, "A file that is not valid YAML, or a report "
                "that is not valid JSON."),
)


@dataclass(frozen=True, order=True)
class Location:
    """A position in a source file; ``line`` is 1-based, ``column`` 1-based or None."""

    path: Path
    line: int | None = None
    column: int | None = None

    def display(self, base: Path | None = None) -> str:
        """Return ``path:line`` with the path relative to ``base`` when it lies inside."""
        shown = display_path(self.path, base)
        if self.line is None:
            return shown
        return f"{shown}:{self.line}"


def display_path(path: Path, base: Path | None = None) -> str:
    """Return ``path`` relative to ``base`` (default: the working folder) when inside it."""
    base = Path.cwd() if base is None else base
    try:
        return os.fspath(path.relative_to(base))
    except ValueError:
        return os.fspath(path)


@dataclass(frozen=True)
class Finding:
    """One problem, with what is wrong, where, and how to fix it."""

    kind: str
    message: str
    location: Location | None = None
    hint: str | None = None
    subject: str | None = None
    """Id of the need, document or scale the finding is about; baselines match on it."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown finding kind {self.kind!r}")

    @property
    def severity(self) -> Severity:
        """The severity of the finding's kind."""
        return KINDS[self.kind].severity

    @property
    def is_input_error(self) -> bool:
        """Whether the finding makes the input unusable (exit code 2)."""
        return KINDS[self.kind].input_error

    def sort_key(self) -> tuple[str, int, str, str]:
        """Order findings by file, line, kind and message."""
        if self.location is None:
            return ("", 0, self.kind, self.message)
        return (os.fspath(self.location.path), self.location.line or 0, self.kind, self.message)

    def format(self, base: Path | None = None, *, where: str | None = None) -> str:
        """Return the finding as ``path:line: severity: message [iso27035.kind]``.

        ``where`` replaces ``path:line`` when given.
        """
        if where is None:
            where = self.location.display(base) if self.location else "iso27035"
        text = f"{where}: {self.severity}: {self.message} [iso27035.{self.kind}]"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    """Return findings in a stable order: by file, line, kind and message."""
    return sorted(findings, key=Finding.sort_key)
