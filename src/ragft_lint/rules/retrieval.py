"""RG: will retrieval find the right thing?"""

from __future__ import annotations
