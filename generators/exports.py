"""The tabular exports for auditors, as file name to bytes: one place for site and CLI."""

from __future__ import annotations

import datetime as dt

from generators.coverage import Coverage
from generators.matrix import (
    APPLICABILITY_BASENAME,
    MATRIX_BASENAME,
    applicability_csv,
    matrix_csv,
    matrix_json,
)
from generators.model import Model
from generators.workbook import workbook_bytes

EXPORT_NAMES = (f"{MATRIX_BASENAME}.csv", f"{MATRIX_BASENAME}.json", f"{MATRIX_BASENAME}.xlsx",
                f"{APPLICABILITY_BASENAME}.csv")
"""The file names that ``table_exports`` returns."""


def table_exports(model: Model, coverage: Coverage, timestamp: dt.datetime) -> dict[str, bytes]:
    """Return the matrix (CSV, JSON, workbook) and the statement of applicability (CSV)."""
    return {
        f"{MATRIX_BASENAME}.csv": matrix_csv(model, coverage),
        f"{MATRIX_BASENAME}.json": matrix_json(model, coverage),
        f"{MATRIX_BASENAME}.xlsx": workbook_bytes(model, coverage, timestamp),
        f"{APPLICABILITY_BASENAME}.csv": applicability_csv(coverage),
    }
