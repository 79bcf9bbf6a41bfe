"""Placement of findings in check reports, so that CI views can show each one beside the code.

A requirement of the bundled catalog is defined in a file of the installed package,
which no CI view of the project can open. Reports place a finding whose file lies
outside the project at the project line that brings its subject in: the first line
that references it (an exclusion, or a link such as 'satisfies:'), else the 'catalog:'
line of iso27035.yaml. The reports then name the file that defines the subject in the
message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from generators.findings import Finding, Location, display_path
from generators.model import Model
from generators.resources import bundled_dir
from generators.settings import Settings

BUNDLED_CATALOG = "<bundled catalog>"
"""Name that reports give the folder of the bundled catalog in place of its installed path."""


@dataclass(frozen=True)
class Placement:
    """The places where reports show one finding."""

    anchor: Location | None
    """Line of a project file that annotations point at, or None for a finding without a file."""
    defined_in: str | None = None
    """The finding's own file, named as the user reads it, when it lies outside the project."""
    defined_line: int | None = None

    @property
    def origin(self) -> str | None:
        """Return ``file:line`` of the finding's own location outside the project, or None."""
        if self.defined_in is None:
            return None
        return self.defined_in + (f":{self.defined_line}" if self.defined_line else "")

    def origin_note(self) -> str:
        """Return the message suffix that names a file outside the project, or ''."""
        if self.defined_in is None:
            return ""
        prefix = BUNDLED_CATALOG + "/"
        if self.defined_in.startswith(prefix):
            line = f":{self.defined_line}" if self.defined_line else ""
            return (f" (defined in the bundled catalog at "
                    f"{self.defined_in.removeprefix(prefix)}{line})")
        return f" (defined in {self.origin})"


class Placer:
    """Places the findings of one project."""

    def __init__(self, settings: Settings, model: Model) -> None:
        self._project_dir = settings.project_dir.resolve()
        self._catalog_dir = settings.catalog_dir.resolve() if settings.catalog_dir else None
        self._bundled_dir = bundled_dir("catalog").resolve()
        self._catalog_at = settings.catalog_at
        self._inside: dict[Path, bool] = {}
        self._references = self._first_references(model)

    def place(self, finding: Finding) -> Placement:
        """Return where reports show ``finding``."""
        location = finding.location
        if location is None or self._is_inside(location.path):
            return Placement(location)

        anchor = self._references.get(finding.subject or "")
        if anchor is None and self._catalog_dir is not None \
                and self._catalog_dir in location.path.resolve().parents:
            anchor = self._catalog_at
        return Placement(anchor or location, self._name_outside(location.path), location.line)

    def _is_inside(self, path: Path) -> bool:
        if path not in self._inside:
            self._inside[path] = self._project_dir in path.resolve().parents
        return self._inside[path]

    def _name_outside(self, path: Path) -> str:
        resolved = path.resolve()
        if self._bundled_dir in resolved.parents:
            return f"{BUNDLED_CATALOG}/{resolved.relative_to(self._bundled_dir).as_posix()}"
        return display_path(resolved).replace(os.sep, "/")

    def _first_references(self, model: Model) -> dict[str, Location]:
        """Return, per id, the first line of a project file that names it."""
        candidates: list[tuple[str, Location]] = [
            (exclusion.requirement, exclusion.defined_at)
            for exclusion in model.exclusions.values()]
        for need in model.needs.values():
            for link, targets in need.links.items():
                candidates += [(target, need.where_item(link, index))
                               for index, target in enumerate(targets)]

        first: dict[str, Location] = {}
        for target, location in sorted(candidates, key=_reference_order):
            if target not in first and self._is_inside(location.path):
                first[target] = location
        return first


def _reference_order(candidate: tuple[str, Location]) -> tuple[str, str, int]:
    target, location = candidate
    return target, os.fspath(location.path), location.line or 0
