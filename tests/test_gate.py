"""The coverage gate inside a build: sphinx-build with iso27035_fail_on, build --fail-on."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli, run_sphinx


def _sphinx(project: Path, out: Path, *overrides: str) -> subprocess.CompletedProcess[str]:
    options = [arg for override in overrides for arg in ("-D", override)]
    return run_sphinx(project / "docs", out, "-q", *options, confdir=project)


def test_sphinx_build_fails_on_gaps_after_writing(gaps: Path, tmp_path: Path) -> None:
    result = _sphinx(gaps, tmp_path / "gated", "iso27035_fail_on=gap")

    assert result.returncode == 1, result.stderr
    assert "check failed: 2 gap (failing on: gap)" in result.stderr
    assert "Traceback" not in result.stderr
    # the site is complete, as after a build without the gate
    assert (tmp_path / "gated/_generated/matrix.html").is_file()
    assert (tmp_path / "gated/index.html").is_file()

    plain = _sphinx(gaps, tmp_path / "plain")
    assert plain.returncode == 0, plain.stderr
    assert "check failed" not in plain.stderr


def test_gate_passes_without_findings_of_the_kinds(gaps: Path, tmp_path: Path) -> None:
    result = _sphinx(gaps, tmp_path / "out", "iso27035_fail_on=no-owner,orphan")

    assert result.returncode == 0, result.stderr
    assert "check failed" not in result.stderr


def test_failing_kind_is_a_warning_outside_warn_on(gaps: Path, tmp_path: Path) -> None:
    # iso27035_warn_on keeps its default, gap; the partial requirement fails the build
    result = _sphinx(gaps, tmp_path / "out", "iso27035_fail_on=partial")

    assert result.returncode == 1
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    lessons = [line for line in warnings if "REQ_TEST_LESSONS" in line]
    assert lessons, result.stderr
    assert "[iso27035.partial]" in lessons[0]
    assert "check failed: 1 partial" in result.stderr


def test_baseline_accepts_recorded_findings(gaps: Path, tmp_path: Path) -> None:
    recorded = run_cli("check", "--project", str(gaps), "--write-baseline",
                       str(gaps / "accepted.json"))
    assert recorded.returncode == 0, recorded.stderr

    result = _sphinx(gaps, tmp_path / "out", "iso27035_fail_on=gap",
                     "iso27035_baseline=accepted.json")

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("override", "message"), [
    ("iso27035_fail_on=gapx", "invalid iso27035_fail_on: unknown finding kind(s) gapx"),
    ("iso27035_baseline=missing.json", "missing.json not found"),
])
def test_bad_gate_setting_stops_the_build(gaps: Path, tmp_path: Path, override: str,
                                          message: str) -> None:
    result = _sphinx(gaps, tmp_path / "out", "iso27035_fail_on=gap", override)

    assert result.returncode == 2
    assert message in result.stderr
    assert not (gaps / "docs/_generated").exists()


def test_build_command_fails_on_gaps_after_writing(gaps: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"

    result = run_cli("build", "--project", str(gaps), "--out", str(out), "--fail-on", "gap")

    assert result.returncode == 1, result.stderr
    assert "REQ_TEST_RESPONSE" in result.stdout
    assert "REQ_TEST_RECOVERY" in result.stdout
    assert "check failed: 2 gap (failing on: gap)" in result.stdout
    assert "REQ_TEST_LESSONS" not in result.stdout  # partial, not a kind that fails
    for output in ("html/index.html", "matrix/traceability-matrix.csv"):
        assert (out / output).is_file(), output


def test_build_command_ignores_the_gate_of_conf_py(gaps: Path, tmp_path: Path) -> None:
    conf = gaps / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + 'iso27035_fail_on = ["gap"]\n',
                    encoding="utf-8")
    out = tmp_path / "out"

    result = run_cli("build", "--project", str(gaps), "--out", str(out))

    assert result.returncode == 0, result.stderr
    assert (out / "html/index.html").is_file()
    assert "Run 'iso27035 check' for the findings." in result.stdout


def test_build_command_baseline(gaps: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "accepted.json"
    run_cli("check", "--project", str(gaps), "--write-baseline", str(baseline))

    accepted = run_cli("build", "--project", str(gaps), "--out", str(tmp_path / "out"),
                       "--fail-on", "gap", "--baseline", str(baseline))
    assert accepted.returncode == 0, accepted.stderr
    assert "2 finding(s) in the baseline ignored" in accepted.stdout

    missing = run_cli("build", "--project", str(gaps), "--out", str(tmp_path / "none"),
                      "--fail-on", "gap", "--baseline", str(tmp_path / "missing.json"))
    assert missing.returncode == 2
    assert "not found" in missing.stderr
    assert not (tmp_path / "none").exists()


@pytest.mark.parametrize(("setting", "message"), [
    ("iso27035_fail_on = 1", "iso27035_fail_on must be a list of finding kinds"),
    ("iso27035_baseline = ['accepted.json']", "iso27035_baseline must be the path"),
])
def test_gate_setting_of_wrong_type(gaps: Path, tmp_path: Path, setting: str,
                                    message: str) -> None:
    conf = gaps / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + f"{setting}\n", encoding="utf-8")

    result = _sphinx(gaps, tmp_path / "out", "iso27035_fail_on=gap") \
        if "baseline" in setting else _sphinx(gaps, tmp_path / "out")

    assert result.returncode == 2
    assert message in result.stderr
