"""The domain errors. Each owns its message; the command line maps each to an exit status."""

from __future__ import annotations

from typing import Sequence

from .record import NamedTuple


class RagftLintError(Exception):
    """Base of every error ragft-lint reports without a traceback."""

    exit_status = 2

    def lines(self) -> list[str]:
        return [str(self)]


class Problem(NamedTuple):
    """One thing wrong with a declaration, at a place in a file."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        if self.line <= 0:  # no place in the file (it is not there): the tool's own word
            return f"ragft-lint: {self.path}: {self.message}"
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class DeclarationError(RagftLintError):
    """The declaration cannot be read or does not fit the format: nothing was checked."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.path, p.line, p.column, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class NoDeclarationError(RagftLintError):
    """No declaration was found where one was expected."""

    def __init__(self, searched: Sequence[str], near_misses: Sequence[str] = ()) -> None:
        self.searched = list(searched)
        self.near_misses = list(near_misses)
        where = ", ".join(self.searched) if self.searched else "(nowhere)"
        # What the search passed by comes before the advice to write a new declaration: the
        # team most likely has one already, under a name or in a folder that is not read.
        passed = "".join(f"; {near}" for near in self.near_misses)
        advice = "or run" if self.near_misses else "run"
        super().__init__(
            "no declaration found: looked for ragft.yaml, ragft.yml, .ragft.yaml, .ragft.yml "
            f"and a [tool.ragft-lint] table in pyproject.toml in {where}{passed}; "
            f"{advice} `ragft-lint init` to write one"
        )


class UsageError(RagftLintError):
    """The command line is wrong."""


class UnknownRuleError(UsageError):
    """A rule id that no installed rule has."""

    def __init__(self, rule_id: str, known: Sequence[str]) -> None:
        from .suggest import hint

        said = hint(rule_id, known) or "; `ragft-lint rules` lists them"
        super().__init__(f"unknown rule {rule_id!r}{said}")


class BaselineError(RagftLintError):
    """A baseline file cannot be read or written: nothing was checked, nothing was written."""

    def __init__(self, path: str, message: str, line: int = 0, column: int = 0) -> None:
        where = f"{path}:{line}:{column}" if line else path
        super().__init__(f"{where}: {message}")


class UnknownSystemError(KeyError):
    """A system the run does not hold was asked for (``Report.for_system``, the decisions, the
    pytest fixture): a typo would otherwise give an empty list, and an assertion built on it
    would pass without checking anything. A ``KeyError``, as a mapping's lookup raises."""

    def __init__(self, name: str, where: str, systems: Sequence[str]) -> None:
        from .suggest import hint

        self.name = name
        self.systems = list(systems)
        listed = ", ".join(repr(s) for s in self.systems) or "none"
        # Over several declarations a system is ``path::name``: a bare name points to those.
        named = [s for s in self.systems if s.rpartition("::")[2] == name and s != name]
        said = (f"; did you mean {' or '.join(repr(s) for s in named)}? (over several "
                "declarations a system is path::name)") if named else hint(name, self.systems)
        super().__init__(f"{where} declares no system {name!r}{said} (its systems: {listed})")

    def __str__(self) -> str:  # KeyError would show the repr of its argument
        return str(self.args[0])


class PluginError(RagftLintError):
    """A plugin failed to load, or raised inside a hook: the run cannot be trusted."""

    exit_status = 3

    def __init__(self, plugin: str, distribution: str, version: str, cause: str) -> None:
        self.plugin = plugin
        self.distribution = distribution
        self.version = version
        self.cause = cause
        super().__init__(
            f"plugin {plugin!r} (distribution {distribution} {version}) failed: {cause}"
        )
