"""Fail a site build on coverage findings, as ``iso27035 check`` does.

With ``iso27035_fail_on`` set in ``conf.py`` (or ``-D iso27035_fail_on=gap`` on the
command line), a build whose coverage has a finding of those kinds ends with exit
status 1 once every page is written. A finding recorded in the ``iso27035_baseline``
file does not fail it. A pipeline then builds the site and gates on coverage in one
process, without loading the project a second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

from generators.check.baseline import BaselineError, read_baseline
from generators.check.result import CheckResult, parse_kinds
from generators.check.text import verdict

logger = logging.getLogger(__name__)


def gate_kinds(app: Sphinx) -> tuple[str, ...]:
    """Return the finding kinds that fail the build; raise ExtensionError on an unknown one."""
    configured = app.config.iso27035_fail_on
    if isinstance(configured, str):
        configured = configured.split(",")
    if not isinstance(configured, list | tuple):
        raise ExtensionError(f"iso27035: iso27035_fail_on must be a list of finding kinds, "
                             f"such as ['gap'], not {configured!r}")
    try:
        return parse_kinds(str(kind) for kind in configured)
    except ValueError as error:
        raise ExtensionError(f"iso27035: invalid iso27035_fail_on: {error}") from None


@dataclass(frozen=True)
class GateSettings:
    """The finding kinds that fail the build, and the findings accepted in a baseline."""

    kinds: tuple[str, ...]
    baseline: set[tuple[str, str]] | None
    baseline_path: Path | None


def gate_settings(app: Sphinx, project_dir: Path) -> GateSettings:
    """Read the gate's settings; raise ExtensionError on an unknown kind or an invalid baseline.

    The baseline file is relative to the project folder, and read only when a kind is set.
    """
    kinds = gate_kinds(app)
    configured = app.config.iso27035_baseline
    if configured is not None and not isinstance(configured, str):
        raise ExtensionError(f"iso27035: iso27035_baseline must be the path of a baseline "
                             f"file, such as 'baseline.json', not {configured!r}")
    path = project_dir / configured if configured else None
    baseline = None
    if kinds and path is not None:
        try:
            baseline = read_baseline(path)
        except BaselineError as error:
            raise ExtensionError(f"iso27035: {error} (set in iso27035_baseline)") from None
    return GateSettings(kinds, baseline, path)


def report_gate(app: Sphinx, result: CheckResult, exception: Exception | None) -> None:
    """Once a build is done, fail it when a finding fails the gate."""
    if exception is not None or not result.failed:
        return
    logger.error("iso27035: %s. The failing findings are the warnings above; "
                 "'iso27035 check' reports them with the coverage summary.", verdict(result))
    app.statuscode = 1
