"""FT: is the fine-tune ready and justified?"""

from __future__ import annotations
