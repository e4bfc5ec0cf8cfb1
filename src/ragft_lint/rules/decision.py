"""DE: does the declared architecture agree with the verdicts of `decide`?"""

from __future__ import annotations
