"""Run the command line as ``python -m generators``."""

from __future__ import annotations

from generators.cli import main

main(prog_name="iso27035")
