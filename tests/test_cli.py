"""The command line as a user runs it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from tests.conftest import run_cli


def test_check_complete_project_exits_0(copy_root: Callable[[str], Path]) -> None:
    result = run_cli("check", "--project", str(copy_root("complete")))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check passed" in result.stdout
    assert re.search(r"Overall\s+4\s+2\s+1\s+0\s+1\s+66\.7%", result.stdout)


def test_check_gap_exits_1_and_lists_it(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    path = project / "needs/artifacts.yaml"
    path.write_text(path.read_text().replace("    satisfies: [REQ_TEST_POLICY]\n", ""))
    result = run_cli("check", "--project", str(project))
    assert result.returncode == 1
    gap_lines = [line for line in result.stdout.splitlines() if "[iso27035.gap]" in line]
    assert len(gap_lines) == 1
    assert re.match(r".*requirements\.yaml:\d+: error: REQ_TEST_POLICY \(Test standard 4\.1 "
                    r"Policy\) is not covered: nothing satisfies it \(expected: policy "
                    r"statement\)", gap_lines[0])


def test_check_invalid_input_exits_2(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    path = project / "needs/artifacts.yaml"
    path.write_text(path.read_text().replace("satisfies: [REQ_TEST_POLICY]",
                                             "satisfies: [REQ_TEST_POLIC]"))
    result = run_cli("check", "--project", str(project))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert re.search(r"artifacts\.yaml:\d+: error: POL_REPORT 'satisfies:' links to unknown id "
                     r"'REQ_TEST_POLIC' \[iso27035\.unknown-link\]", result.stderr)
    assert "hint: did you mean REQ_TEST_POLICY?" in result.stderr


def test_missing_project_exits_2(tmp_path: Path) -> None:
    result = run_cli("check", "--project", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_folder_without_settings_exits_2(tmp_path: Path) -> None:
    result = run_cli("check", "--project", str(tmp_path))
    assert result.returncode == 2
    assert "no iso27035.yaml" in result.stderr


def test_usage_error_exits_2() -> None:
    result = run_cli("check", "--no-such-option")
    assert result.returncode == 2
    assert "No such option" in result.stderr


def test_build_invalid_input_writes_nothing(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    (project / "needs/broken.yaml").write_text("needs:\n  - id: [\n")
    result = run_cli("build", "--project", str(project))
    assert result.returncode == 2
    assert "broken.yaml:3: error: invalid YAML" in result.stderr
    assert not (project / "_build").exists()
    assert not (project / "docs/_generated").exists()


def test_module_and_script_agree(copy_root: Callable[[str], Path]) -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("iso27035, version ")


def test_build_passes_jobs_to_sphinx(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    result = run_cli("build", "--project", str(project), "-j", "2")
    assert result.returncode == 0, result.stderr
    assert (project / "_build/html/index.html").is_file()
    bad = run_cli("build", "--project", str(project), "-j", "many")
    assert bad.returncode == 2
    assert "'many' is not a number or 'auto'" in bad.stderr


def test_bad_jobs_value_rejected_before_loading(tmp_path: Path) -> None:
    # an empty folder: the usage error comes before the missing settings
    result = run_cli("build", "--project", str(tmp_path), "-j", "0")

    assert result.returncode == 2
    assert "Invalid value for '-j': must be at least 1" in result.stderr
    assert "iso27035.yaml" not in result.stderr
