"""Byte-identical Office files: fixed zip timestamps and document properties.

python-docx, docxtpl and XlsxWriter stamp the save time into the zip entries, and
XlsxWriter also into ``docProps/core.xml``. ``normalize_office_zip`` rewrites both with one
build timestamp: ``SOURCE_DATE_EPOCH`` when it is set, else the project's date (its
fixed ``today:``, or the day of the build), at midnight UTC. Two builds on the same day
give the same bytes; 1980-01-01 is the earliest date a zip entry can hold.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile

_ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
_CORE = "docProps/core.xml"
_DATE_ELEMENT = re.compile(
    rb"(<dcterms:(created|modified)\b[^>]*>)([^<]*)(</dcterms:\2>)")


class ReproducibilityError(ValueError):
    """SOURCE_DATE_EPOCH is set but is not a whole number of seconds."""


def build_timestamp(project_date: dt.date | None = None) -> dt.datetime:
    """Return the timestamp to stamp into outputs (UTC, whole seconds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and epoch.strip():
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise ReproducibilityError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970") from None
    if project_date is not None:
        return dt.datetime.combine(project_date, dt.time(), tzinfo=dt.UTC)
    return _ZIP_EPOCH


def normalize_office_zip(data: bytes, timestamp: dt.datetime) -> bytes:
    """Return ``data`` (a .docx or .xlsx) rewritten with fixed timestamps.

    Entries keep their order and content; each gets ``timestamp`` (no earlier than
    1980), deflate compression and plain file permissions. The created and modified
    dates in ``docProps/core.xml`` are set to ``timestamp``.
    """
    stamp = max(timestamp, _ZIP_EPOCH)
    date_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == _CORE:
                content = _DATE_ELEMENT.sub(lambda m: m.group(1) + iso + m.group(4), content)
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 3
            target.writestr(entry, content)
    return target_buffer.getvalue()
