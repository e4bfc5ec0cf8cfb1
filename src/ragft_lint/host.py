"""The plugin host: find installed plugins, load them one at a time, collect what they add.

Finding reads only the installed distributions' metadata (no import); loading imports one
entry point at a time, so a plugin that fails is reported by name and the others still run.
The built-in rules and formats are registered through the same hooks as any other plugin.
What the plugins contribute is collected once into an immutable ``Plugins`` value.
"""

from __future__ import annotations

import os
import sys
from types import MappingProxyType
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple

import pluggy

from . import hookspecs
from ._version import __version__
from .declaration.extension import Extension
from .errors import PluginError
from .evidence.result_reader import ResultReader
from .output_format import OutputFormat
from .record import NamedTuple
from .rule import Rule

GROUP = "ragft_lint"
# Set (non-empty), installed plugins are not loaded: only the built-in rules and formats run.
# The same switch as pytest's PYTEST_DISABLE_PLUGIN_AUTOLOAD, for isolating a broken plugin
# or running a test suite that must not depend on what else is installed.
DISABLE_AUTOLOAD = "RAGFT_LINT_DISABLE_PLUGIN_AUTOLOAD"


class EntryPoint(NamedTuple):
    """An entry point in the ``ragft_lint`` group, found without importing anything."""

    name: str
    value: str
    distribution: str
    version: str

    def load(self) -> Any:
        import importlib

        module_name, _, attribute = self.value.partition(":")
        target: Any = importlib.import_module(module_name.strip())
        for part in attribute.strip().split(".") if attribute.strip() else ():
            target = getattr(target, part)
        return target


def _read_entry_points(folder: str, group: str) -> List[tuple[str, str]]:
    try:
        with open(os.path.join(folder, "entry_points.txt"), encoding="utf-8") as handle:
            text = handle.read()
    except OSError:
        return []
    found = []
    in_group = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            in_group = line.strip("[]").strip() == group
            continue
        if in_group and "=" in line:
            name, _, value = line.partition("=")
            found.append((name.strip(), value.strip()))
    return found


def _name_version(folder_name: str, folder: str) -> tuple[str, str]:
    stem = folder_name.rsplit(".", 1)[0]
    name, _, rest = stem.partition("-")
    version = rest.split("-")[0] if rest else ""
    if not version:
        version = _metadata_version(folder)
    return name.replace("_", "-"), version or "unknown version"


def _metadata_version(folder: str) -> str:
    for meta in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(folder, meta), encoding="utf-8") as handle:
                for line in handle:
                    if line.startswith("Version:"):
                        return line.split(":", 1)[1].strip()
                    if not line.strip():
                        break
        except OSError:
            continue
    return ""


def find_entry_points(group: str = GROUP, path: Optional[List[str]] = None) -> List[EntryPoint]:
    """Every entry point of ``group`` in the installed distributions, sorted by name.

    A distribution found twice on the path counts once, as the import system would see it.
    """
    seen: set[str] = set()
    found: List[EntryPoint] = []
    if path is None and os.environ.get(DISABLE_AUTOLOAD):
        return found
    for entry in sys.path if path is None else path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:
            continue
        for folder_name in names:
            if not folder_name.endswith((".dist-info", ".egg-info")):
                continue
            folder = os.path.join(entry or ".", folder_name)
            dist, version = _name_version(folder_name, folder)
            key = dist.lower()
            if key in seen:
                continue
            seen.add(key)
            for name, value in _read_entry_points(folder, group):
                found.append(EntryPoint(name, value, dist, version))
    return sorted(found, key=lambda ep: (ep.name, ep.distribution))


class PluginFailure(NamedTuple):
    """A plugin that could not be loaded or raised inside a hook."""

    plugin: str
    distribution: str
    version: str
    cause: str

    def error(self) -> PluginError:
        return PluginError(self.plugin, self.distribution, self.version, self.cause)


class Plugins(NamedTuple):
    """The loaded plugins and what they contributed: a value, made once per run.

    ``failures`` are the plugins that failed to load or to answer a hook; a failure while
    checking (a rule that raises) belongs to the report of that check, not to this value.
    """

    rules: Tuple[Rule, ...]
    extension: Extension
    formats: Mapping[str, OutputFormat]
    format_owners: Mapping[str, str]
    failures: Tuple[PluginFailure, ...]
    origins: Mapping[str, EntryPoint]
    # Readers of eval tools' result files, built-in ones first (their ``sniff`` order).
    result_readers: Mapping[str, ResultReader] = MappingProxyType({})
    # The plugin that contributed each result reader (``builtin`` for ours).
    result_reader_owners: Mapping[str, str] = MappingProxyType({})

    @property
    def rule_ids(self) -> List[str]:
        return [r.id for r in self.rules]

    def failure(self, plugin: str, cause: str) -> PluginFailure:
        """A failure of ``plugin``, named with its distribution and version."""
        return _failure(self.origins, plugin, cause)

    def format_owner(self, name: str) -> str:
        """The plugin that contributed output format ``name`` (``builtin`` for ours)."""
        return self.format_owners.get(name, "builtin")


def _failure(origins: Mapping[str, EntryPoint], plugin: str, cause: str) -> PluginFailure:
    origin = origins.get(plugin)
    dist, version = (origin.distribution, origin.version) if origin else ("ragft-lint", "")
    return PluginFailure(plugin, dist, version or __version__, cause)


class _Loader:
    """Asks the registered plugins, one at a time, for what they contribute."""

    def __init__(self, manager: pluggy.PluginManager, origins: Dict[str, EntryPoint]) -> None:
        self.manager = manager
        self.origins = origins
        self.failures: List[PluginFailure] = []

    def failure(self, plugin: str, cause: str) -> None:
        failure = _failure(self.origins, plugin, cause)
        if failure not in self.failures:
            self.failures.append(failure)

    def answers(self, hook: str) -> Iterator[tuple[str, Any]]:
        """Each plugin's answer to ``hook``, asked one plugin at a time.

        Calling the implementations one by one (rather than through the hook caller) keeps one
        plugin's exception its own: it is recorded as that plugin's failure and the others are
        still asked. Plugins answer in registration order, the built-in plugin first.
        """
        from collections.abc import Iterator as AnyIterator

        from .deadline import budget
        from .guard import plugin_code

        seconds = budget()
        for impl in getattr(self.manager.hook, hook).get_hookimpls():
            try:
                if impl.plugin_name == "builtin":
                    result = impl.function()
                else:
                    with plugin_code(seconds):
                        result = impl.function()
                        if isinstance(result, AnyIterator):  # a generator works when read
                            result = list(result)
            except (Exception, SystemExit) as exc:
                self.failure(impl.plugin_name, f"{hook} raised {type(exc).__name__}: {exc}")
                continue
            if result is not None:
                yield impl.plugin_name, result

    def rules(self) -> Tuple[Rule, ...]:
        """Every plugin's rules, each plugin asked on its own so one failure stays its own."""
        rules: Dict[str, Rule] = {}
        for plugin, result in self.answers("ragft_lint_rules"):
            try:
                contributed = list(result)
            except TypeError:
                self.failure(plugin, f"ragft_lint_rules returned {type(result).__name__}, "
                                     "not a list of rules")
                continue
            for item in contributed:
                if not isinstance(item, Rule):
                    self.failure(plugin, f"ragft_lint_rules returned {type(item).__name__}, "
                                         "not a ragft_lint.Rule")
                    continue
                problems = item.problems()
                if problems:
                    self.failure(plugin, "; ".join(problems))
                    continue
                if item.id in rules:
                    self.failure(plugin, f"rule {item.id} is already defined by plugin "
                                         f"{rules[item.id].source!r}")
                    continue
                rules[item.id] = _with_source(item, plugin)
        return tuple(sorted(rules.values(), key=lambda r: r.id))

    def extension(self) -> Extension:
        """What plugins add to the declaration format: system keys and settings tables."""
        from .declaration.schema import Spec, system_spec

        built_in = set(system_spec().fields)
        keys: Dict[str, Spec] = {}
        owners: Dict[str, str] = {}
        for plugin, result in self.answers("ragft_lint_system_keys"):
            if not isinstance(result, dict):
                self.failure(plugin, f"ragft_lint_system_keys returned {type(result).__name__}, "
                                     "not a dict of key to Spec")
                continue
            for key, spec in result.items():
                if not isinstance(key, str) or not isinstance(spec, Spec):
                    self.failure(plugin, f"ragft_lint_system_keys: {key!r} must map a key name "
                                         "to a ragft_lint.spec Spec")
                elif key in built_in:
                    self.failure(plugin, f"ragft_lint_system_keys: {key!r} is a built-in key")
                elif key in owners:
                    self.failure(plugin, f"ragft_lint_system_keys: {key!r} is already added by "
                                         f"plugin {owners[key]!r}")
                else:
                    keys[key] = spec
                    owners[key] = plugin
        settings: Dict[str, Spec] = {}
        for plugin, result in self.answers("ragft_lint_settings"):
            if isinstance(result, Spec):
                settings[plugin] = result
            else:
                self.failure(plugin, f"ragft_lint_settings returned {type(result).__name__}, "
                                     "not a ragft_lint.spec Spec")
        return Extension(keys, settings, owners)

    def formats(self) -> Tuple[Dict[str, OutputFormat], Dict[str, str]]:
        """Every ``--format`` choice: the built-in ones, then plugins' (first one wins a name)."""
        formats: Dict[str, OutputFormat] = {}
        owners: Dict[str, str] = {}
        for plugin, result in self.answers("ragft_lint_output_formats"):
            items = result.items() if isinstance(result, dict) else None
            if items is None:
                self.failure(plugin, "ragft_lint_output_formats returned "
                                     f"{type(result).__name__}, not a dict")
                continue
            for name, fmt in items:
                if not isinstance(fmt, OutputFormat) or not callable(fmt.render):
                    self.failure(plugin, f"output format {name!r} is not a "
                                         "ragft_lint.OutputFormat")
                elif name in formats:
                    self.failure(plugin, f"output format {name!r} is already defined")
                else:
                    formats[name] = fmt
                    owners[name] = plugin
        return formats, owners

    def result_readers(self) -> Tuple[Dict[str, ResultReader], Dict[str, str]]:
        """Every reader of result files: the built-in ones, then plugins' (first one wins), and
        the plugin each came from."""
        readers: Dict[str, ResultReader] = {}
        owners: Dict[str, str] = {}
        for plugin, result in self.answers("ragft_lint_result_readers"):
            if not isinstance(result, dict):
                self.failure(plugin, "ragft_lint_result_readers returned "
                                     f"{type(result).__name__}, not a dict")
                continue
            for name, reader in result.items():
                if (not isinstance(name, str) or not isinstance(reader, ResultReader)
                        or not callable(reader.sniff) or not callable(reader.read)):
                    self.failure(plugin, f"result reader {name!r} is not a "
                                         "ragft_lint.evidence.results.ResultReader")
                elif name in readers:
                    self.failure(plugin, f"result reader {name!r} is already defined")
                else:
                    readers[name] = reader._replace(name=name, read=_checked(name, reader.read))
                    owners[name] = plugin
        return readers, owners


def _checked(name: str, read: Callable[..., Any]) -> Callable[..., Any]:
    """A plugin's ``read``, whose result of the wrong type is its failure (a ``TypeError``
    raised where its reader runs, so that it is named) rather than an internal error later."""

    def checked(*arguments: Any) -> Any:
        from .evidence.results import CaseScores

        result = read(*arguments)
        if not isinstance(result, CaseScores):
            raise TypeError(f"returned {type(result).__name__}, not "
                            "ragft_lint.evidence.results.CaseScores")
        return result

    return checked


def _with_source(rule: Rule, plugin: str) -> Rule:
    return rule if rule.source == plugin else rule._replace(source=plugin)


def load(entry_points: Optional[List[EntryPoint]] = None) -> Plugins:
    """Create the plugin manager, register the built-in plugin and every installed plugin, and
    collect what they contribute into one ``Plugins`` value."""
    from . import builtin
    from .deadline import budget
    from .guard import known, plugin_code

    manager = pluggy.PluginManager(GROUP)
    manager.add_hookspecs(hookspecs)
    origins: Dict[str, EntryPoint] = {}
    loader = _Loader(manager, origins)
    manager.register(builtin, name="builtin")
    seconds = budget()
    for ep in find_entry_points() if entry_points is None else entry_points:
        if manager.has_plugin(ep.name) or ep.name in origins:
            origins.setdefault(ep.name, ep)
            loader.failure(ep.name, f"another plugin is already registered as {ep.name!r} "
                                    f"(from {ep.distribution})")
            continue
        origins[ep.name] = ep
        known(*ep)  # so that a plugin that will not stop is named
        plugin = None
        try:
            with plugin_code(seconds):
                plugin = ep.load()
            manager.register(plugin, name=ep.name)
            manager.check_pending()
        except (Exception, SystemExit) as exc:  # an import error, a bad hook: named, isolated
            if plugin is not None and manager.is_registered(plugin):
                manager.unregister(plugin)
            loader.failure(ep.name, f"{type(exc).__name__}: {exc}")
    rules = loader.rules()
    extension = loader.extension()
    formats, owners = loader.formats()
    readers, reader_owners = loader.result_readers()
    return Plugins(rules, extension, MappingProxyType(formats), MappingProxyType(owners),
                   tuple(loader.failures), MappingProxyType(dict(origins)),
                   MappingProxyType(readers), MappingProxyType(reader_owners))
