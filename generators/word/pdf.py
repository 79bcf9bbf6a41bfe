"""PDF copies of the Word documents, converted by LibreOffice where it is installed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

INSTALL_HINT = (
    "install LibreOffice (Debian and Ubuntu: 'apt-get install libreoffice-writer'; macOS: "
    "'brew install --cask libreoffice'; Windows: the installer from libreoffice.org) and run "
    "again, or open the .docx files in Word and save them as PDF")
_PROGRAM_NAMES = ("soffice", "libreoffice")
_MACOS_PROGRAM = Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")
_START_SECONDS = 120
_SECONDS_PER_DOCUMENT = 60
"""Time limits of one conversion run: LibreOffice's first start with a fresh profile is
the slow part; a long document converts in a few seconds."""


class PdfError(Exception):
    """LibreOffice is missing or failed; the message describes what happened."""


def find_libreoffice() -> str | None:
    """Return the path of LibreOffice's ``soffice`` program, or None when it is not installed."""
    for name in _PROGRAM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return str(_MACOS_PROGRAM) if _MACOS_PROGRAM.is_file() else None


def convert_to_pdf(documents: dict[str, bytes], program: str) -> dict[str, bytes]:
    """Return a PDF of each .docx in ``documents`` (file name to bytes), by file name.

    LibreOffice runs headless with a profile of its own in a temporary folder, so an
    open LibreOffice window neither blocks nor changes the conversion. Raise PdfError
    when it fails, times out or leaves a PDF out.
    """
    if not documents:
        return {}
    with tempfile.TemporaryDirectory(prefix="iso27035-pdf-") as work:
        source = Path(work, "docx")
        target = Path(work, "pdf")
        source.mkdir()
        for name, data in documents.items():
            (source / name).write_bytes(data)
        command = [
            program, f"-env:UserInstallation={Path(work, 'profile').as_uri()}", "--headless",
            "--norestore", "--nologo", "--nolockcheck", "--convert-to", "pdf", "--outdir",
            str(target), *(str(source / name) for name in documents),
        ]
        timeout = _START_SECONDS + _SECONDS_PER_DOCUMENT * len(documents)
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                    check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(f"LibreOffice did not finish converting {len(documents)} "
                           f"document(s) within {timeout} seconds") from None
        except OSError as error:
            raise PdfError(f"LibreOffice ({program}) could not be started: {error}") from None
        pdfs = {}
        missing = []
        for name in documents:
            pdf = target / f"{Path(name).stem}.pdf"
            if pdf.is_file():
                pdfs[pdf.name] = pdf.read_bytes()
            else:
                missing.append(name)
        if missing:
            output = " ".join((result.stderr or result.stdout).split())[-400:]
            raise PdfError(f"LibreOffice (exit code {result.returncode}) wrote no PDF for "
                           f"{', '.join(missing)}" + (f": {output}" if output else ""))
        return pdfs
