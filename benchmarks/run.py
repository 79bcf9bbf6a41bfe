"""Measure check, site builds, incremental builds, Word and forms at several project sizes.

Run from the repository root with the project installed:

    python benchmarks/run.py --sizes 1000,5000,20000 --write-docs

Every command runs in a child process; its time is wall-clock, and its peak memory is
the child's maximum resident set size. The figures go to standard output and, with
--write-docs, to docs/benchmarks.md together with a description of the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write_plain_project, write_project  # noqa: E402

REPOSITORY = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

_CHILD = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{elapsed} {peak} {code}")
"""


@dataclass
class Measurement:
    """Seconds and peak memory (MB) of one command."""

    seconds: float
    peak_mb: float


def measure(command: list[str], repeat: int, cwd: Path, ok_codes: tuple[int, ...] = (0,),
            before: object = None) -> Measurement:
    """Run ``command`` ``repeat`` times in a child; return the median time and max memory.

    The child runs in ``cwd``, the benchmark's own folder: ``python -m`` looks for
    modules in the current folder first, and there it finds the installed package
    rather than the source tree of the repository.
    """
    times, peaks = [], []
    for _ in range(repeat):
        if callable(before):
            before()
        output = subprocess.run([PYTHON, "-c", _CHILD, *command], capture_output=True,
                                text=True, check=True, cwd=cwd)
        seconds, peak, code = output.stdout.split()
        if int(code) not in ok_codes:
            raise SystemExit(f"command failed with exit code {code}: {' '.join(command)}\n"
                             f"{output.stderr}")
        times.append(float(seconds))
        peaks.append(int(peak) / 1024)
    return Measurement(statistics.median(times), max(peaks))


def keep(folders: list[Path], saved: Path, *, restore: bool = False) -> None:
    """Copy ``folders`` into ``saved``, or with ``restore`` copy them back from it.

    Copies keep modification times, so Sphinx finds the restored build unchanged.
    """
    for number, folder in enumerate(folders):
        source, target = (saved / str(number), folder) if restore else (folder, saved / str(number))
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target, symlinks=True)


def edit_one_file(project: Path, text: str | None = None) -> str:
    """Change one title and move one link to another requirement, in one need file.

    With ``text``, the file is first given that content. Return its text before the edit.
    """
    path = project / "needs" / "part07.yaml"
    before = path.read_text(encoding="utf-8") if text is None else text
    data = json.loads(before)
    requirements = [n["id"] for n in data["needs"] if n["type"] == "req"]
    for need in data["needs"]:
        if len(need.get("satisfies", ())) == 2:
            target = next(r for r in requirements if r not in need["satisfies"])
            need["satisfies"] = [need["satisfies"][0], target]
            need["title"] = need["title"] + " (edited)"
            break
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return before


def measure_watch(project: Path, out: Path, repeat: int) -> Measurement:
    """Time rounds of ``iso27035 watch`` after one-file edits: a build and a check each.

    The time is the median of what the watcher reports for ``repeat`` rounds, from the
    change it noticed to the end of the check. It leaves out the polling interval. The
    memory is the watcher's peak resident set size, where the system reports it.
    """
    shutil.rmtree(out, ignore_errors=True)
    watcher = subprocess.Popen(
        [PYTHON, "-m", "generators", "watch", "--project", str(project), "--out", str(out),
         "--interval", "0.1"], cwd=out.parent, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        _watch_round(watcher)
        times = []
        for _ in range(repeat):
            edit_one_file(project)
            times.append(_watch_round(watcher))
        peak = _peak_mb(watcher.pid)
    finally:
        watcher.terminate()
        watcher.wait()
    return Measurement(statistics.median(times), peak)


def _watch_round(watcher: subprocess.Popen[str]) -> float:
    """Read the watcher's output to the end of a round; return the seconds it reports."""
    assert watcher.stdout is not None
    seconds = None
    for line in watcher.stdout:
        if line.startswith("Done in "):
            seconds = float(line.split()[2])
        elif line.startswith("Watching ") and seconds is not None:
            return seconds
    raise SystemExit("iso27035 watch stopped before the end of a round")


def _peak_mb(pid: int) -> float:
    """Return the peak resident set size of process ``pid`` in MB, or 0 where unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def has_command(name: str, cwd: Path) -> bool:
    """Return whether the installed CLI has a command ``name``."""
    result = subprocess.run([PYTHON, "-m", "generators", name, "--help"], capture_output=True,
                            cwd=cwd, check=False)
    return result.returncode == 0


def run_size(size: int, work: Path, repeat: int) -> dict[str, Measurement]:
    """Measure every figure for one project size."""
    project, plain = work / f"project-{size}", work / f"plain-{size}"
    for folder in (project, plain):  # from an earlier run with the same --work
        shutil.rmtree(folder, ignore_errors=True)
    write_project(project, size)
    write_plain_project(plain, project)
    out, doctrees = work / f"site-{size}", work / f"doctrees-{size}"
    sphinx = [PYTHON, "-m", "sphinx", "-b", "html", "-q", "-c", str(project),
              "-d", str(doctrees), str(project / "docs"), str(out)]
    check = [PYTHON, "-m", "generators", "check", "--project", str(project)]

    def clean() -> None:
        for folder in (out, doctrees, project / "docs" / "_generated"):
            shutil.rmtree(folder, ignore_errors=True)

    figures = {"check": measure(check, repeat, work, ok_codes=(1,))}
    figures["site clean"] = measure(sphinx, repeat, work, before=clean)
    figures["plain html"] = measure(
        [PYTHON, "-m", "sphinx", "-b", "html", "-q", "-E", str(plain), str(work / "plain-out")],
        repeat, work, before=lambda: shutil.rmtree(work / "plain-out", ignore_errors=True))
    figures["plain needs"] = measure(
        [PYTHON, "-m", "sphinx", "-b", "needs", "-q", "-E", str(plain),
         str(work / "plain-needs")], repeat, work,
        before=lambda: shutil.rmtree(work / "plain-needs", ignore_errors=True))

    # the build with the gate in the same process, as 'sphinx-build -D' gives it
    gated = [*sphinx[:3], "-D", "iso27035_fail_on=gap", *sphinx[3:]]
    built = [out, doctrees, project / "docs" / "_generated"]
    saved = work / f"built-{size}"
    incremental, checks, in_build = [], [], []
    for _ in range(repeat):
        clean()
        subprocess.run(sphinx, check=True, capture_output=True, cwd=work)
        keep(built, saved)
        unedited = edit_one_file(project)
        incremental.append(measure(sphinx, 1, work))
        checks.append(measure(check, 1, work, ok_codes=(1,)))
        keep(built, saved, restore=True)
        edit_one_file(project, unedited)
        in_build.append(measure(gated, 1, work, ok_codes=(1,)))
    figures["incremental"] = Measurement(statistics.median(m.seconds for m in incremental),
                                         max(m.peak_mb for m in incremental))
    figures["incremental + check"] = Measurement(
        statistics.median(i.seconds + c.seconds for i, c in zip(incremental, checks, strict=True)),
        max(m.peak_mb for m in incremental + checks))
    figures["incremental + gate"] = Measurement(statistics.median(m.seconds for m in in_build),
                                                max(m.peak_mb for m in in_build))
    shutil.rmtree(saved, ignore_errors=True)

    if has_command("watch", work):
        figures["incremental + check (watch)"] = measure_watch(project, work / f"watch-{size}",
                                                               repeat)

    for command in ("docx", "forms"):
        if has_command(command, work):
            figures[command] = measure([PYTHON, "-m", "generators", command, "--project",
                                        str(project), "--out", str(work / f"{command}-{size}")],
                                       repeat, work)
    return figures


def machine() -> str:
    """Describe the machine and the software versions."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        memory = f", {total / 2**30:.0f} GiB RAM"
    except (ValueError, OSError):
        pass
    versions = ", ".join(f"{name} {importlib.metadata.version(name)}"
                         for name in ("sphinx", "sphinx-needs", "myst-parser", "docxtpl",
                                      "xlsxwriter"))
    return (f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} "
            f"{platform.release()}; Python {platform.python_version()}; {versions}")


def table(results: dict[int, dict[str, Measurement]]) -> list[str]:
    """Return the figures as a Markdown table, one row per figure, one column per size."""
    sizes = sorted(results)
    names = list(results[sizes[0]])
    lines = ["| Figure | " + " | ".join(f"{s:,} needs" for s in sizes) + " |",
             "|---|" + "--:|" * len(sizes)]
    for name in names:
        cells = [f"{results[s][name].seconds:.2f} s / {results[s][name].peak_mb:.0f} MB"
                 if name in results[s] else "-" for s in sizes]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def ratios(results: dict[int, dict[str, Measurement]]) -> list[str]:
    """Return the target ratios per size, and the growth from the smallest to the largest.

    Each figure with a target is marked met or missed, so a miss is not read as a pass.
    """
    lines = ["| Ratio (target) | " + " | ".join(f"{s:,} needs" for s in sorted(results)) + " |",
             "|---|" + "--:|" * len(results)]
    checks = [
        ("check / plain needs builder (at most 0.25)", "check", "plain needs", 0.25),
        ("site clean / plain html (at most 1.2)", "site clean", "plain html", 1.2),
        ("incremental + check / site clean (at most 0.3)", "incremental + check", "site clean",
         0.3),
        ("incremental + gate in the build / site clean (at most 0.3)", "incremental + gate",
         "site clean", 0.3),
        ("the same in `iso27035 watch` / site clean (at most 0.3)",
         "incremental + check (watch)", "site clean", 0.3),
    ]
    for label, top, bottom, limit in checks:
        cells = [_judged(r[top].seconds / r[bottom].seconds, limit, ".2f") if top in r else "-"
                 for _, r in sorted(results.items())]
        if all(cell == "-" for cell in cells):
            continue
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    memory = [_judged(max(m.peak_mb for m in r.values()), MEMORY_LIMIT_MB, ".0f", " MB")
              if size == MEMORY_SIZE else "-" for size, r in sorted(results.items())]
    if any(cell != "-" for cell in memory):
        lines.append(f"| peak memory at {MEMORY_SIZE:,} needs (under {MEMORY_LIMIT_MB} MB) | "
                     + " | ".join(memory) + " |")

    sizes = sorted(results)
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        lines += ["", f"Growth from {small:,} to {large:,} needs ({large // small}x the needs; "
                  "linear growth or better keeps the time factor at or below it):", ""]
        lines += ["| Figure | time factor | memory factor |", "|---|--:|--:|"]
        for name in results[small]:
            if name in results[large]:
                a, b = results[small][name], results[large][name]
                time_factor = _judged(b.seconds / a.seconds, large / small, ".1f")
                lines.append(f"| {name} | {time_factor} | {b.peak_mb / a.peak_mb:.1f} |")
    return lines


MIN_SIZE = 200
"""Smallest project size measured: 10 needs in each of the 20 need files."""

MEMORY_SIZE = 5000
"""Project size at which peak memory has a target."""
MEMORY_LIMIT_MB = 400
"""Peak memory target at MEMORY_SIZE needs."""


def _judged(value: float, limit: float, spec: str, unit: str = "") -> str:
    """Return ``value`` formatted, followed by whether it is within ``limit``."""
    verdict = "met" if value <= limit else "**missed**"
    return f"{value:{spec}}{unit} ({verdict})"


def main() -> None:
    """Parse options, run the measurements and report them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000",
                        help="comma-separated numbers of needs (default 1000,5000,20000)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per figure; the median time is reported (default 1)")
    parser.add_argument("--work", type=Path, help="folder for the generated projects "
                        "(default: a temporary folder, removed afterwards)")
    parser.add_argument("--write-docs", action="store_true",
                        help="write the table to docs/benchmarks.md")
    options = parser.parse_args()

    sizes = [int(s) for s in options.sizes.split(",")]
    if min(sizes) < MIN_SIZE:
        parser.error(f"each size must be at least {MIN_SIZE} needs, so that the need file "
                     "that the incremental build edits holds requirements and artifacts")
    work = (options.work or Path(tempfile.mkdtemp(prefix="iso27035-bench-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict[str, Measurement]] = {}
    try:
        for size in sizes:
            print(f"measuring {size:,} needs ...", file=sys.stderr, flush=True)
            results[size] = run_size(size, work, options.repeat)
    finally:
        if options.work is None:
            shutil.rmtree(work, ignore_errors=True)

    report = [*table(results), "", *ratios(results)]
    print("\n".join(report))
    if options.write_docs:
        write_docs(report, options.repeat)


def write_docs(report: list[str], repeat: int) -> None:
    """Write the figures and the machine to docs/benchmarks.md."""
    text = f"""# Benchmarks

Figures measured by `benchmarks/run.py` on {dt.date.today().isoformat()}.

Machine: {machine()}.

Each cell gives the wall-clock time (median of {repeat} run(s)) and the peak resident
memory of the command. The machine was shared with other work, so expect some noise.

The synthetic projects have one requirement in five, the other needs being artifacts
with two links each, and about 5% of the requirements left as gaps. *plain* is the same
needs, each with the title, links, fields and body the site shows, written as
sphinx-needs directives in 20 MyST files with one need table, and built by Sphinx
alone. It has none of the site's other pages: coverage, matrix, gap list, statement of
applicability, document control, downloads. *site clean* is a clean build of the
traceability site of the project; *incremental* rebuilds the site after one link and
one title changed in one need file; *check* is `iso27035 check`. *incremental + gate*
is that incremental build with `-D iso27035_fail_on=gap`, which fails the build on a gap
in the same process. *incremental + check (watch)* is a round of `iso27035 watch` after
the same kind of edit: the build and the check in a process that stays running between
edits, as the watcher reports the round.

{chr(10).join(report)}
"""
    (REPOSITORY / "docs" / "benchmarks.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
