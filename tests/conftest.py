from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from hypothesis import HealthCheck, settings

from helpers import AS_OF, jupyter_environment
from ragft_lint import Report, check
from ragft_lint.host import DISABLE_AUTOLOAD

EXAMPLE_PLUGIN = Path(__file__).resolve().parents[1] / "examples" / "acme-plugin"

# Property-based tests: a fixed number of derandomised examples in CI, thousands on demand
# (HYPOTHESIS_PROFILE=thorough).
_HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True,
                          suppress_health_check=_HEALTH)
settings.register_profile("thorough", max_examples=3000, deadline=None,
                          suppress_health_check=_HEALTH)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# The pytest sessions tests start (pytester, or ``python -m pytest`` in a child) load neither
# pytest-lsp's plugin, whose test-call wrapper fails on items that are not functions (the
# ragft-lint items), nor pytest-asyncio: the language server's tests need only pytest-lsp's
# client, in this session.
NESTED_PYTEST_OPTIONS = "-p no:pytest-lsp -p no:asyncio"


@pytest.fixture(scope="session", autouse=True)
def _only_the_builtin_plugin() -> Iterator[None]:
    """Load no installed plugin, in this process and in every child it starts.

    A plugin installed beside ragft-lint adds rules, keys and formats that would change what
    the tests see. Session-wide, so module-scoped fixtures that run a check are pinned too.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DISABLE_AUTOLOAD, "1")
        given = os.environ.get("PYTEST_ADDOPTS", "")
        patch.setenv("PYTEST_ADDOPTS", f"{given} {NESTED_PYTEST_OPTIONS}".strip())
        yield


@pytest.fixture(autouse=True)
def _installed_plugins_if_marked(request: pytest.FixtureRequest,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests marked ``plugins`` put plugins on the path themselves and need them found."""
    if request.node.get_closest_marker("plugins") is not None:
        monkeypatch.delenv(DISABLE_AUTOLOAD, raising=False)


@pytest.fixture(scope="session")
def acme_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example plugin built by pip and installed into a folder of its own, once.

    For a child's PYTHONPATH in a test marked ``plugins``, and ``network``: pip fetches the
    build backend from the package index.
    """
    work = tmp_path_factory.mktemp("acme")
    source = work / "source"
    shutil.copytree(EXAMPLE_PLUGIN, source)  # building in place would leave build files behind
    target = work / "site"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
         "--disable-pip-version-check", "--target", str(target), str(source)],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return target


@pytest.fixture
def run_yaml(tmp_path: Path) -> Callable[..., Report]:
    """Check a YAML declaration given as text (dedented), with evidence off and a fixed date."""

    def run(text: str, **options: Any) -> Report:
        folder = tmp_path / "project"
        folder.mkdir(exist_ok=True)
        (folder / ".git").mkdir(exist_ok=True)  # the project root
        target = folder / "ragft.yaml"
        target.write_text(textwrap.dedent(text), encoding="utf-8")
        options.setdefault("as_of", AS_OF)
        options.setdefault("evidence", False)
        return check(target, **options)

    return run


# A Jupyter kernel for the interpreter running the tests (the notebook and parity tests).
KERNEL = "ragft-lint-tests"


@pytest.fixture(scope="session")
def jupyter_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kernel spec for the interpreter running the tests, installed by ipykernel itself."""
    prefix = tmp_path_factory.mktemp("jupyter")
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", str(prefix),
                    "--name", KERNEL], check=True, capture_output=True,
                   env={**jupyter_environment(prefix), "JUPYTER_PATH": ""})
    return prefix / "share" / "jupyter"


@pytest.fixture
def kernel(jupyter_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("JUPYTER_PATH", str(jupyter_path))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.setenv("IPYTHONDIR", str(jupyter_path.parent.parent / "ipython"))
    return KERNEL


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """Pytester, with ``NESTED_PYTEST_OPTIONS`` (it clears PYTEST_ADDOPTS when it is made)."""
    monkeypatch.setenv("PYTEST_ADDOPTS", NESTED_PYTEST_OPTIONS)
    return pytester
