"""``ragft-lint server`` without the ``lsp`` extra: a message that says how to install it, and
exit 2, never a traceback. Runs on every Python (the server's own tests need pytest-lsp)."""

from __future__ import annotations

import sys

import pytest

from ragft_lint.cli import main


@pytest.mark.parametrize("missing", ["pygls", "lsprotocol"])
def test_server_without_the_extra_says_how_to_install_it(missing: str, monkeypatch, capsys
                                                         ) -> None:
    monkeypatch.setitem(sys.modules, missing, None)  # an import of it fails, as when absent
    assert main(["server"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'ragft-lint[lsp]'" in err
    assert "Traceback" not in err


def test_server_is_listed_among_the_commands(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "server" in capsys.readouterr().out
