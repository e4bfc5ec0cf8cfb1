"""A report prints as the command line's text output, in a terminal and in IPython."""

from __future__ import annotations

from helpers import fired


def test_a_report_prints_as_text(run_yaml) -> None:
    report = run_yaml("""\
        systems:
          bot:
            architecture: fine-tune
            knowledge: {changes: weekly}
        """)
    assert fired(report, "KN001")
    text = str(report)
    assert "KN001 [error]" in text
    assert text.splitlines()[-1].startswith(report.declaration + ": ")

    lines = []

    class Printer:
        def text(self, value: str) -> None:
            lines.append(value)

    report._repr_pretty_(Printer(), False)
    assert lines == [text]
