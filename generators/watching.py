"""The ``watch`` command: build the site and run the coverage check again after each edit.

One process builds every time, so the interpreter, Sphinx and sphinx-needs are loaded
once. At 1,000 needs, starting Python and importing them took 0.54 s of a 1.7 s
incremental ``sphinx-build`` run (benchmarks/run.py, 2-core machine).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from generators.building import build_site_atomically
from generators.check.run import CheckOptions, report_check, run_check
from generators.cli import EXIT_INVALID, EXIT_OK, fail_input
from generators.findings import display_path
from generators.gc_pause import collect_given_back
from generators.loading.project import DOCS_FOLDER
from generators.settings import SETTINGS_FILE, load_settings
from generators.site.pages import GENERATED_FOLDER
from generators.sphinxext.project import BuildState, get_state

Snapshot = dict[str, tuple[int, int]]
"""Each watched file, by path, with its modification time (ns) and size."""


def run_watch(project_dir: Path, out_dir: Path | None, *, jobs: str,
              fail_on: tuple[str, ...], interval: float) -> int:
    """Build and check, then again after each change, until interrupted; return 0."""
    project_dir = project_dir.resolve()
    out_dir = (out_dir if out_dir is not None else project_dir / "_build").resolve()
    if not (project_dir / SETTINGS_FILE).is_file():
        # not a project at all, which no later edit of its files is likely to fix
        fail_input(load_settings(project_dir)[1])
    try:
        for changed in _changes(project_dir, out_dir, interval):
            if changed:
                click.echo(f"\nChanged: {', '.join(changed[:3])}"
                           f"{f' and {len(changed) - 3} more' if len(changed) > 3 else ''}")
            run_once(project_dir, out_dir, jobs=jobs, fail_on=fail_on)
            collect_given_back()  # while waiting, not in the next round
            click.echo(f"Watching {display_path(project_dir)} for changes; press Ctrl+C to "
                       "stop.")
    except KeyboardInterrupt:
        click.echo("Stopped.")
    return EXIT_OK


def run_once(project_dir: Path, out_dir: Path, *, jobs: str,
             fail_on: tuple[str, ...]) -> tuple[int, float]:
    """Build the site, then run the check; return the exit code and the seconds taken.

    The exit code is the build's when it failed, else the check's. An input error is
    reported and ends this round only: the previous site stays.
    """
    start = time.perf_counter()
    options = CheckOptions(project_dir=project_dir, fail_on=fail_on)
    settings, _ = load_settings(project_dir)
    if settings is None:
        # the check reports what is wrong with the settings
        code = _checked(lambda: run_check(options))
    else:
        built: list[BuildState] = []
        code = build_site_atomically(project_dir, out_dir, jobs=jobs, verbose=False,
                                     organization=settings.organization,
                                     on_built=lambda app: built.append(get_state(app)))
        if code == EXIT_OK:
            click.echo(f"Site:   {display_path(out_dir / 'html' / 'index.html')}")
            # the check reports on the model and coverage the site was built from
            state = built[0]
            code = _checked(lambda: report_check(options, state.settings or settings,
                                                 state.model, state.coverage))
    seconds = time.perf_counter() - start
    click.echo(f"Done in {seconds:.2f} s.")
    return code, seconds


def _checked(check: Callable[[], int]) -> int:
    """Run a check and print its report; an input error gives exit code 2, not an exit."""
    try:
        return check()
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else EXIT_INVALID


def _changes(project_dir: Path, out_dir: Path, interval: float,
             sleep: Callable[[float], None] = time.sleep) -> Iterator[list[str]]:
    """Yield an empty list at once, then the changed files each time the project changes.

    A change is yielded once the files have stayed the same for one interval, so that
    an editor saving several files, or one file in several steps, causes one build.
    """
    skipped = {out_dir, out_dir / "html", project_dir / DOCS_FOLDER / GENERATED_FOLDER}
    before = snapshot(project_dir, skipped)
    yield []
    while True:
        sleep(interval)
        now = snapshot(project_dir, skipped)
        if now == before:
            continue
        while True:
            sleep(interval)
            settled = snapshot(project_dir, skipped)
            if settled == now:
                break
            now = settled
        changed = sorted(p for p in now.keys() | before.keys() if now.get(p) != before.get(p))
        before = now
        yield [display_path(Path(p)) for p in changed]


def snapshot(folder: Path, skipped: set[Path]) -> Snapshot:
    """Return the files under ``folder`` with their modification time and size.

    Hidden files and folders (such as ``.git`` and the staging folders of a build),
    Python caches and the ``skipped`` folders are left out.
    """
    files: Snapshot = {}
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.name == "__pycache__":
                continue
            path = Path(entry.path)
            try:
                if entry.is_dir(follow_symlinks=False):
                    if path not in skipped:
                        pending.append(path)
                    continue
                stat = entry.stat()
            except OSError:
                continue
            files[entry.path] = (stat.st_mtime_ns, stat.st_size)
    return files
