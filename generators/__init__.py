"""Documentation-as-code for an ISO/IEC 27035 incident management programme."""

from __future__ import annotations

__version__ = "0.1.0"
