"""``python -m ragft_lint``: the same as the ``ragft-lint`` command."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
