"""DA: does the evidence on disk agree with the declaration? (measured)"""

from __future__ import annotations
