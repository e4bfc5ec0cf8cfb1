"""Changing a user's declaration file and keeping everything the change does not touch.

Used by ``ragft-lint check --fix`` and ``ragft-lint waive``; the core never imports it.
Modules, in the order data flows through them:

- ``changes``: an edit as data (set a value, remove a key, add a key) applied to plain values,
  which is what the edited file must read back as;
- ``yaml_text`` and ``toml_text``: the same edits as splices of the file's text, at the places
  ruamel.yaml's composer and the TOML position scan give, so every comment, quote, blank line
  and line ending around them stays as it was;
- ``files``: reading the file, applying the edits, checking that the result reads back as
  expected, and writing it atomically;
- ``fixes``: the fixes that need no judgement, and ``check --fix``;
- ``waivers``: ``ragft-lint waive``.
"""

from __future__ import annotations

__all__ = ["fixes", "waivers"]
