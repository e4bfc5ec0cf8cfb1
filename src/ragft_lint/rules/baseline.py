"""BL: was the failure diagnosed first?"""

from __future__ import annotations
