"""Baseline files: the findings a team has accepted for now, by kind and subject."""

from __future__ import annotations

import json
from pathlib import Path

from generators.check.result import CHECK_KINDS, fingerprint
from generators.findings import Finding
from generators.output import atomic_write

BASELINE_VERSION = 1


class BaselineError(ValueError):
    """A baseline file that cannot be read; the message says why and how to fix it."""


def read_baseline(path: Path) -> set[tuple[str, str]]:
    """Return the fingerprints recorded in ``path``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"baseline file {path} not found; record one with "
                            f"'iso27035 check --write-baseline {path}'") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BaselineError(f"baseline file {path} cannot be read: {error}") from None
    except json.JSONDecodeError as error:
        raise BaselineError(f"baseline file {path} is not valid JSON: {error.msg} at line "
                            f"{error.lineno}") from None
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION or not \
            isinstance(data.get("findings"), list):
        raise BaselineError(f"baseline file {path} is not an iso27035 baseline (expected "
                            f"{{'version': {BASELINE_VERSION}, 'findings': [...]}})")
    fingerprints = set()
    for index, entry in enumerate(data["findings"]):
        if not (isinstance(entry, dict) and entry.get("kind") in CHECK_KINDS
                and isinstance(entry.get("subject"), str)):
            raise BaselineError(f"baseline file {path}: entry {index + 1} needs a known "
                                "'kind' and a 'subject' string")
        fingerprints.add((entry["kind"], entry["subject"]))
    return fingerprints


def write_baseline(path: Path, findings: list[Finding]) -> None:
    """Record ``findings`` as the baseline in ``path``, sorted, replacing the file."""
    entries = sorted({fingerprint(f) for f in findings})
    data = {"version": BASELINE_VERSION,
            "findings": [{"kind": kind, "subject": subject} for kind, subject in entries]}
    atomic_write(path, (json.dumps(data, indent=2) + "\n").encode("utf-8"))
