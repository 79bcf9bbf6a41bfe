"""The evidence pack: an index of the evidence items, with their files, as a folder and a zip.

Items are grouped as auditors read them: process design, team readiness, incident
execution and improvement follow-through. The folder is assembled in a temporary place
and then swapped in, so a failed run leaves the previous pack intact.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import jinja2

from generators.coverage import Coverage
from generators.model import EvidenceItem, Model, Procedure, Role
from generators.output import (
    OutputError,
    atomic_write,
    cannot_write,
    give_default_mode,
    reject_file_in_place,
)
from generators.paths import resolve_project_file
from generators.site.pages import EVIDENCE_GROUP_TITLES
from generators.templating import template_dirs
from generators.workbook import evidence_table, evidence_workbook_bytes, review_state

PACK_NAME = "evidence-pack"


@dataclass(frozen=True)
class PackEntry:
    """One evidence item as the pack shows it."""

    item: EvidenceItem
    owner: str
    state: str
    proves: tuple[str, ...]
    files: tuple[str, ...]


def pack_entries(model: Model, coverage: Coverage) -> dict[str, list[PackEntry]]:
    """Return the evidence items by group title, each with what it proves.

    An item that evidences a procedure also proves the requirements that procedure
    satisfies.
    """
    groups: dict[str, list[PackEntry]] = {title: [] for title in EVIDENCE_GROUP_TITLES.values()}
    for item in model.of_type(EvidenceItem):
        proves: dict[str, None] = {}
        for target_id in item.outgoing("evidences"):
            target = model.needs[target_id]
            if isinstance(target, Procedure):
                proves.update(dict.fromkeys(target.outgoing("satisfies")))
            else:
                proves[target_id] = None
        owner = model.needs.get(item.owner or "")
        groups[EVIDENCE_GROUP_TITLES[item.group]].append(PackEntry(
            item=item,
            owner=f"{owner.title} ({owner.id})" if isinstance(owner, Role) else "",
            state=review_state(item, coverage.today),
            proves=tuple(proves),
            files=_attachment_names(item),
        ))
    return groups


def _attachment_names(item: EvidenceItem) -> tuple[str, ...]:
    """Return a unique pack path for each attachment: files/ITEM_ID/NAME."""
    names: list[str] = []
    for reference in item.attachments:
        name = Path(reference).name
        candidate, number = name, 1
        while f"files/{item.id}/{candidate}" in names:
            number += 1
            candidate = f"{Path(name).stem}-{number}{Path(name).suffix}"
        names.append(f"files/{item.id}/{candidate}")
    return tuple(names)


def write_evidence_pack(model: Model, coverage: Coverage, out_dir: Path,
                        timestamp: dt.datetime) -> tuple[Path, Path]:
    """Write the pack folder and its zip into ``out_dir``; return both paths."""
    groups = pack_entries(model, coverage)
    files: dict[str, bytes] = {
        "index.html": _index_html(model, coverage, groups).encode("utf-8"),
        "evidence.xlsx": evidence_workbook_bytes(model, *_index_table(model, coverage, groups),
                                                 timestamp),
    }
    for entries in groups.values():
        for entry in entries:
            for reference, name in zip(entry.item.attachments, entry.files, strict=True):
                source = resolve_project_file(model.project_dir, reference,
                                              allow_outside=model.allow_outside_paths)
                files[name] = source.read_bytes()

    folder = out_dir / PACK_NAME
    archive = out_dir / f"{PACK_NAME}.zip"
    reject_file_in_place(folder)
    if archive.is_dir():
        raise OutputError(f"{archive} is a folder, where iso27035 writes the pack's zip file; "
                          "move the folder out of the way and run again")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=f".{PACK_NAME}."))
    except OSError as error:
        raise OutputError(cannot_write(folder, error)) from None
    try:
        for name, data in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        # mkdtemp creates the folder for its owner only; give it the usual mode
        give_default_mode(staging, folder=True)
        _swap_in(staging, folder)
    except OSError as error:
        raise OutputError(cannot_write(folder, error)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    atomic_write(archive, _zip(files, timestamp))
    return folder, archive


def _index_table(model: Model, coverage: Coverage, groups: dict[str, list[PackEntry]]
                 ) -> tuple[list[str], list[list[Any]]]:
    """Return the evidence register with the requirements each item proves and its files."""
    header, rows = evidence_table(model, coverage.today)
    entries = {entry.item.id: entry for group in groups.values() for entry in group}
    for row in rows:
        entry = entries[row[0]]
        row += [", ".join(entry.proves), "\n".join(entry.files)]
    return [*header, "Proves requirements", "Files"], rows


def _swap_in(staging: Path, folder: Path) -> None:
    """Replace ``folder`` with ``staging``; the old folder is removed only after the swap."""
    previous = folder.with_name(f".{folder.name}.old")
    shutil.rmtree(previous, ignore_errors=True)
    if folder.exists():
        os.replace(folder, previous)
    os.replace(staging, folder)
    shutil.rmtree(previous, ignore_errors=True)


def _zip(files: dict[str, bytes], timestamp: dt.datetime) -> bytes:
    stamp = max(timestamp, dt.datetime(1980, 1, 1, tzinfo=dt.UTC))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            entry = zipfile.ZipInfo(f"{PACK_NAME}/{name}", date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 3
            archive.writestr(entry, files[name])
    return buffer.getvalue()


def _index_html(model: Model, coverage: Coverage, groups: dict[str, list[PackEntry]]) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in template_dirs(model.project_dir,
                                                                       "evidence-pack")]),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        keep_trailing_newline=True,
    )
    template = environment.get_template("index.html.j2")
    return template.render(organization=model.organization, today=coverage.today.isoformat(),
                           groups=groups, requirements=coverage.requirements)


def run_evidence_pack(project_dir: Path, out_dir: Path | None) -> int:
    """Load the project and write its evidence pack; return the exit code."""
    from generators.cli import EXIT_OK, fail_input
    from generators.coverage import compute_coverage
    from generators.findings import display_path
    from generators.loading.project import load_project
    from generators.reproducible import build_timestamp

    result = load_project(project_dir)
    if result.model is None or result.settings is None:
        fail_input(result.findings)
    settings = result.settings
    coverage = compute_coverage(result.model, settings.current_date(),
                                count_drafts=settings.count_drafts)
    out = out_dir if out_dir is not None else project_dir / "_build"
    folder, archive = write_evidence_pack(result.model, coverage, out,
                                          build_timestamp(settings.current_date()))
    click.echo(f"Evidence pack: {display_path(folder / 'index.html')}")
    click.echo(f"Archive:       {display_path(archive)}")
    return EXIT_OK
