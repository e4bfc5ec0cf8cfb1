"""What plugins add to the declaration format: keys of their own in each system, and the
validated settings tables ``plugins.<name>``."""

from __future__ import annotations

from typing import Any, Dict

from ..record import NamedTuple


class Extension(NamedTuple):
    """What plugins add to the declaration format.

    ``system_keys`` maps a key to its ``Spec``; ``settings`` maps a plugin name to the ``Spec``
    of its ``plugins.<name>`` table; ``owners`` maps each added system key to its plugin.
    """

    system_keys: Dict[str, Any]
    settings: Dict[str, Any]
    owners: Dict[str, str]


NONE = Extension({}, {}, {})
