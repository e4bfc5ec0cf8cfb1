"""The argparse types of the options the command line and the notebook magic share: they
turn a word into a value or say, in argparse's way, what was expected. The words mean what
``options.build`` makes of them.
"""

from __future__ import annotations

import argparse
import datetime
from typing import Tuple

from .options import parse_date, parse_rule_list


def date(text: str) -> datetime.date:
    """An option's ``YYYY-MM-DD`` date (an argparse ``type=``; see ``options.parse_date``)."""
    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def rule_list(text: str) -> Tuple[str, ...]:
    """An option's comma-separated rule ids or prefixes (an argparse ``type=``)."""
    try:
        return parse_rule_list(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
