"""The version of ragft-lint, read by the package metadata and by every output that states it."""

from __future__ import annotations

__version__ = "0.1.0"
