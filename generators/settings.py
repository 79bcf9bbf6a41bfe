"""Project settings: the ``iso27035.yaml`` file at the root of a project."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from generators.findings import Finding, Location
from generators.loading.convert import Converter
from generators.loading.schema import Field, Struct
from generators.loading.yaml_source import read_yaml_file
from generators.resources import bundled_dir
from generators.word.configuration import WORD_SETTINGS, WordSettings, read_word_settings

SETTINGS_FILE = "iso27035.yaml"

COVERAGE_SETTINGS = Struct("coverage settings", (
    Field("count_drafts", "bool", "Whether draft artifacts count towards coverage "
          "(default true)."),
))

SETTINGS = Struct("settings", (
    Field("organization", "text", "Name of the organization.", True),
    Field("catalog", "text", "Requirement catalog: 'bundled' (default, ISO/IEC 27035 "
          "Parts 1-3), 'none', or a folder of the project."),
    Field("needs", "text", "Folder of the project's need files (default 'needs')."),
    Field("today", "date", "Fixed date for freshness and expiry checks (default: today)."),
    Field("coverage", "struct", "How coverage is computed.", struct=COVERAGE_SETTINGS),
    Field("allow_outside_paths", "bool", "Whether file references (attachments, "
          "templates) and symbolic links in needs/, templates/ and docs/ may lead outside "
          "the project folder (default false)."),
    Field("word", "struct", "Word export: which documents, their templates and file "
          "names.", struct=WORD_SETTINGS),
))


@dataclass(frozen=True)
class Settings:
    """Settings of one project."""

    project_dir: Path
    organization: str
    needs_dir: Path
    catalog_dir: Path | None
    today: dt.date | None
    count_drafts: bool
    allow_outside_paths: bool
    defined_at: Location
    catalog_at: Location
    """The 'catalog:' line, or the start of the settings file when the line is absent."""
    word: WordSettings = WordSettings()

    def current_date(self) -> dt.date:
        """Return the fixed ``today`` of the settings, or else the system date."""
        return self.today if self.today is not None else dt.date.today()


def load_settings(project_dir: Path) -> tuple[Settings | None, list[Finding]]:
    """Read the settings file of ``project_dir``; return None with findings if unusable."""
    if not project_dir.exists():
        return None, [Finding("project", f"project folder {project_dir} does not exist",
                              None, "pass --project with the folder that holds iso27035.yaml")]
    if not project_dir.is_dir():
        return None, [Finding("project", f"project path {project_dir} is not a folder", None,
                              "pass --project with the folder that holds iso27035.yaml")]
    path = project_dir / SETTINGS_FILE
    if not path.is_file():
        return None, [Finding("project", f"no {SETTINGS_FILE} in {project_dir.resolve()}", None,
                              f"create {SETTINGS_FILE} with at least 'organization: NAME', "
                              "or pass --project with the right folder")]
    document, findings = read_yaml_file(path)
    if document is None:
        return None, findings
    if document.root is None:
        return None, [Finding("empty-file", f"{SETTINGS_FILE} is empty", Location(path, 1),
                              "add at least 'organization: NAME'")]

    converter = Converter(path)
    record = converter.record(document.root, SETTINGS, SETTINGS_FILE)
    if record is None:
        return None, converter.findings
    values = record.values

    needs_dir, problem = _inside(project_dir, values.get("needs", "needs"), record.where("needs"))
    if problem:
        converter.findings.append(problem)
    catalog_dir = None
    catalog = values.get("catalog", "bundled")
    if catalog == "bundled":
        catalog_dir = bundled_dir("catalog")
    elif catalog != "none":
        catalog_dir, problem = _inside(project_dir, catalog, record.where("catalog"))
        if problem:
            converter.findings.append(problem)
        elif catalog_dir is not None and not catalog_dir.is_dir():
            converter.findings.append(Finding(
                "project", f"catalog folder {catalog!r} does not exist", record.where("catalog"),
                "set 'catalog:' to 'bundled', 'none' or an existing folder of the project"))
    if converter.findings:
        return None, converter.findings  # the field errors and the folder errors together

    coverage = values.get("coverage")
    count_drafts = True
    if coverage is not None:
        count_drafts = coverage.values.get("count_drafts", True)
    return Settings(
        project_dir=project_dir,
        organization=values["organization"],
        needs_dir=needs_dir,
        catalog_dir=catalog_dir,
        today=values.get("today"),
        count_drafts=count_drafts,
        allow_outside_paths=values.get("allow_outside_paths", False),
        defined_at=record.location,
        catalog_at=record.where("catalog"),
        word=read_word_settings(values.get("word")),
    ), []


def _inside(project_dir: Path, relative: str, where: Location) -> tuple[Path, Finding | None]:
    """Resolve a folder named in the settings; it must stay inside the project."""
    path = (project_dir / relative).resolve()
    root = project_dir.resolve()
    if path != root and root not in path.parents:
        return path, Finding("project", f"folder {relative!r} lies outside the project",
                             where, "name a folder inside the project, without '..' and "
                             "not through a symbolic link that leads out of it")
    return path, None
