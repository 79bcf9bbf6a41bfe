"""Shared fixtures: test projects copied into tmp_path, the CLI as a subprocess."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

ROOTS = Path(__file__).parent / "roots"
REPOSITORY = Path(__file__).parent.parent


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    """Run ``python -m generators ARGS`` and return the finished process."""
    return subprocess.run([sys.executable, "-m", "generators", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600, check=False)


def run_sphinx(srcdir: Path, outdir: Path, *args: str, confdir: Path | None = None
               ) -> subprocess.CompletedProcess[str]:
    """Run ``sphinx-build`` in a subprocess, as a user would."""
    conf = ["-c", str(confdir)] if confdir else []
    return subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", *conf, *args,
                           str(srcdir), str(outdir)], capture_output=True, text=True,
                          timeout=600, check=False)


@pytest.fixture
def copy_root(tmp_path: Path) -> Callable[[str], Path]:
    """Return a function copying ``tests/roots/test-NAME`` into tmp_path."""
    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(ROOTS / f"test-{name}", target)
        return target
    return copy


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    """Return a function writing a project from file texts (dedented) into tmp_path."""
    def make(files: dict[str, str], settings: str = "organization: Test Org\ncatalog: none\n"
             ) -> Path:
        project = tmp_path / "project"
        (project / "needs").mkdir(parents=True, exist_ok=True)
        (project / "iso27035.yaml").write_text(settings, encoding="utf-8")
        for name, text in files.items():
            path = project / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return project
    return make


GAPS = """\
  - id: REQ_TEST_RESPONSE
    type: req
    source: Test standard
    clause: "6.1"
    title: Respond to incidents
    phase: respond
    artifacts: [proc, form]
  - id: REQ_TEST_RECOVERY
    type: req
    source: Test standard
    clause: "6.1"
    title: Recover services
    phase: respond
    artifacts: [proc]
"""


@pytest.fixture
def gaps(copy_root: Callable[[str], Path]) -> Path:
    """The complete test project with two requirements that nothing satisfies.

    Its requirement REQ_TEST_LESSONS stays partial.
    """
    project = copy_root("complete")
    path = project / "needs/requirements.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("exclusions:\n", GAPS + "exclusions:\n"), encoding="utf-8")
    return project
