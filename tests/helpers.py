"""What several test modules share that is not a fixture: constants and small functions.

Test modules import these by name (``from helpers import fired``); fixtures stay in
``conftest.py``, which pytest loads on its own and which no module should import.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any, Dict, List

import pytest

from ragft_lint import Report

AS_OF = datetime.date(2026, 11, 23)


def fired(report: Report, rule: str) -> List[Any]:
    """The findings of one rule in a report."""
    return [f for f in report.findings if f.rule == rule]


def require_file(path: Path, what: str) -> None:
    """Skip the test when ``path`` is missing, or fail it in CI (``CI`` set).

    Some references (the official SARIF schema, the format's specification) live beside the
    project, not in it: a developer's checkout may lack them, but a CI run that skipped the
    tests which read them would pass without having checked anything.
    """
    if path.is_file():
        return
    message = f"{what} is not at {path}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(message)


def jupyter_environment(prefix: Path) -> Dict[str, str]:
    """The environment of a Jupyter or IPython child kept inside ``prefix``."""
    return {**os.environ, "JUPYTER_PLATFORM_DIRS": "1", "IPYTHONDIR": str(prefix / "ipython")}
