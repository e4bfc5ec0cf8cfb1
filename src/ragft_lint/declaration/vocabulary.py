"""The words of the declaration format: the values its enumerated keys take.

A module of its own, importing nothing, so that the rules, the facts view and ``decide`` can
read the order of ``FREQUENCIES`` without loading the whole format.
"""

from __future__ import annotations

ARCHITECTURES = ("prompt", "rag", "fine-tune", "hybrid")
GAPS = ("knowledge", "reasoning", "behavior")
# Fastest first: an earlier frequency changes more often.
FREQUENCIES = ("realtime", "daily", "weekly", "monthly", "quarterly", "yearly", "static")
DEPTHS = ("reference", "deep")
CHUNKINGS = ("fixed", "recursive", "semantic", "structural")
GOALS = ("format", "style", "reasoning", "knowledge", "cost", "latency")
SEVERITIES = ("error", "warning", "info")
