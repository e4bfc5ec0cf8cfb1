"""Edits never lose a byte or an update (interfaces.md, "Edits never lose a byte or an update").

Each case is built for real: concurrent ``ragft-lint waive`` processes, an editor's save in the
middle of an edit, files with permissions, owners, symlinks and hard links, a full disk, bytes
that are not UTF-8 on the command line, and declarations whose block scalars, explicit keys,
empty tables and comments an edit must leave as they are. Where an edit cannot be made, the
run says so with exit 2 and the file keeps every byte.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, List

import pytest

from ragft_lint.cli import main

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions, links, locks")

BOT = textwrap.dedent("""\
    systems:
      bot:  # the support bot
        architecture: rag
        rag: {reranker: false, retrieve_k: 20, context_k: 5}
""")

RULES = ["BL001", "DA001", "EV001", "EV006", "FT001", "KN001", "KN002", "RG001", "RG002",
         "RG003"]


def project(tmp_path: Path, text: str = BOT, name: str = "ragft.yaml") -> Path:
    root = tmp_path / "p"
    (root / ".git").mkdir(parents=True)
    target = root / name
    target.write_bytes(text.encode("utf-8"))
    return target


def waive(target: Path, rule: str, reason: str = "accepted for now") -> int:
    return main(["waive", rule, "bot", str(target), "--reason", reason])


def child(arguments: List[Any], cwd: Path, preamble: str = "") -> subprocess.CompletedProcess:
    code = preamble + "import sys\nfrom ragft_lint.cli import main\nsys.exit(main())\n"
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", NO_COLOR="1")
    return subprocess.run([sys.executable, "-c", code, *arguments], cwd=cwd, env=env,
                          capture_output=True, timeout=120)


# -- lost updates ----------------------------------------------------------------------------


@POSIX
def test_ten_waives_at_once_lose_no_waiver(tmp_path: Path) -> None:
    from ragft_lint.declaration.yaml_source import read_yaml

    target = project(tmp_path)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", NO_COLOR="1")
    started = [subprocess.Popen([sys.executable, "-m", "ragft_lint", "waive", rule, "bot",
                                 "--reason", f"accepted {rule}"], cwd=target.parent, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for rule in RULES]
    done = []
    for rule, process in zip(RULES, started):
        _, stderr = process.communicate(timeout=120)
        done.append((rule, process.returncode, stderr.decode()))
    waivers = read_yaml("f", "f", target.read_text()).data["systems"]["bot"]["waivers"]
    for rule, status, stderr in done:
        assert "Traceback" not in stderr
        if status == 0:  # every run that says it waived left its waiver in the file
            assert waivers[rule] == {"reason": f"accepted {rule}"}, (rule, stderr)
        else:  # a run that lost the race says so and wrote nothing
            assert status == 2 and "nothing was written" in stderr, (rule, status, stderr)
    assert sorted(waivers) == sorted(rule for rule, status, _ in done if status == 0)
    assert [status for _, status, _ in done] == [0] * len(RULES), done


def test_an_editors_save_during_waive_is_kept(tmp_path: Path, monkeypatch: Any,
                                               capsys: Any) -> None:
    from ragft_lint.edit.files import Source

    target = project(tmp_path)
    saved = BOT.replace("the support bot", "saved by the editor meanwhile").encode()
    edited = Source.edited

    def edit_while_the_editor_saves(self: Source, changes: Any) -> str:
        text = edited(self, changes)
        target.write_bytes(saved)  # an editor takes no lock
        return text

    monkeypatch.setattr(Source, "edited", edit_while_the_editor_saves)
    assert waive(target, "RG002") == 2
    assert target.read_bytes() == saved
    err = capsys.readouterr().err
    assert "ragft.yaml: the file changed while it was being edited; nothing was written" in err


# -- YAML the edit must not mangle -----------------------------------------------------------


BLOCK = textwrap.dedent("""\
    systems:
      bot:
        architecture: rag
        rag: {reranker: false, retrieve_k: 20, context_k: 5}
        waivers:
          KN001:
            reason: {header}  # folded on purpose
              the old reason,
              over two lines

            # kept: a comment after the reason
            expires: 2099-01-31
""")


@pytest.mark.parametrize("indicator", [">-", ">", ">+", "|-", "|", "|+"])
def test_a_block_scalar_reason_keeps_its_comments(tmp_path: Path, indicator: str) -> None:
    target = project(tmp_path, BLOCK.replace("{header}", indicator))
    assert waive(target, "KN001", "the new reason") == 0
    style = indicator[0]
    assert target.read_text() == BLOCK.replace("{header}", style + "-").replace(
        "  the old reason,\n          over two lines\n", "  the new reason\n")


def test_a_folded_reason_of_two_lines_reads_back(tmp_path: Path) -> None:
    from ragft_lint.declaration.yaml_source import read_yaml

    target = project(tmp_path, BLOCK.replace("{header}", ">-"))
    assert waive(target, "KN001", "first line\nsecond line") == 0
    got = target.read_text()
    assert read_yaml("f", "f", got).data["systems"]["bot"]["waivers"]["KN001"] == {
        "reason": "first line\nsecond line", "expires": "2099-01-31"}
    assert "# folded on purpose" in got and "# kept: a comment after the reason" in got


def test_a_waiver_is_added_among_explicit_keys(tmp_path: Path) -> None:
    text = BOT + "    waivers:\n      ? KN001\n      : reason: weekly  # why\n"
    target = project(tmp_path, text)
    assert waive(target, "RG002") == 0
    assert target.read_text() == text + "      RG002:\n        reason: accepted for now\n"


def test_a_waiver_is_added_under_an_explicit_system_key(tmp_path: Path) -> None:
    text = "systems:\n  ? bot\n  : architecture: rag\n" \
           "    rag: {reranker: false, retrieve_k: 20, context_k: 5}\n"
    target = project(tmp_path, text)
    assert waive(target, "RG002") == 0
    assert target.read_text() == text + \
        "    waivers:\n      RG002:\n        reason: accepted for now\n"


def test_a_waiver_fills_an_empty_waivers_key(tmp_path: Path) -> None:
    text = BOT + "    waivers:  # none yet\n  other:\n    architecture: prompt\n"
    target = project(tmp_path, text)
    assert waive(target, "RG002") == 0
    assert target.read_text() == text.replace(
        "# none yet\n", "# none yet\n      RG002:\n        reason: accepted for now\n")


# -- TOML: the comments around a removed table -----------------------------------------------


def test_fix_keeps_the_comments_after_a_removed_toml_table(tmp_path: Path) -> None:
    head = ["[project]", 'name = "demo"', "", "[tool.ragft-lint.systems.bot]",
            'architecture = "rag"', 'gaps = ["knowledge"]',
            "rag = {reranker = false, retrieve_k = 20, context_k = 5}", ""]
    text = "\n".join(head + [
        "[tool.ragft-lint.systems.bot.waivers.KN001]", 'reason = "x"', "",
        "# about the next table, after a blank line", "", "[tool.other]", "y = 1", "",
        "[tool.ragft-lint.systems.bot.waivers.BL001]", 'reason = "y"', "",
        "# the end of the file", ""])
    target = project(tmp_path, text, "pyproject.toml")
    assert main(["check", "--fix", "--no-evidence", "-q", str(target)]) in (0, 1)
    assert target.read_text() == "\n".join(head + [
        "# about the next table, after a blank line", "", "[tool.other]", "y = 1", "",
        "# the end of the file", ""])


# -- the file's mode, owner, links -----------------------------------------------------------


@POSIX
def test_waive_keeps_the_mode_exactly(tmp_path: Path) -> None:
    target = project(tmp_path)
    os.chmod(target, 0o2664)  # group-writable and setgid, which a umask of 022 would drop
    old = os.umask(0o022)
    try:
        assert waive(target, "RG002") == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o2664


@POSIX
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="giving a file to another owner needs root")
def test_waive_keeps_the_owner_and_group(tmp_path: Path) -> None:
    target = project(tmp_path)
    os.chown(target, 4321, 8765)
    assert waive(target, "RG002") == 0
    info = os.stat(target)
    assert (info.st_uid, info.st_gid) == (4321, 8765)


@POSIX
def test_a_symlink_inside_the_root_is_written_through(tmp_path: Path) -> None:
    target = project(tmp_path)
    real = target.parent / "config" / "bot.yaml"
    real.parent.mkdir()
    target.rename(real)
    target.symlink_to(Path("config") / "bot.yaml")
    assert waive(target, "RG002") == 0
    assert target.is_symlink()
    assert "RG002:" in real.read_text()


@POSIX
def test_a_symlink_outside_the_root_is_refused(tmp_path: Path, capsys: Any) -> None:
    target = project(tmp_path)
    outside = tmp_path / "shared.yaml"
    target.rename(outside)
    target.symlink_to(outside)
    assert waive(target, "RG002") == 2
    assert target.is_symlink() and outside.read_text() == BOT
    assert "outside the project root" in capsys.readouterr().err


@POSIX
def test_a_hard_linked_file_is_refused(tmp_path: Path, capsys: Any) -> None:
    target = project(tmp_path)
    other = tmp_path / "other-name.yaml"
    os.link(target, other)
    assert waive(target, "RG002") == 2
    assert os.stat(target).st_ino == os.stat(other).st_ino
    assert target.read_text() == BOT
    assert "hard link" in capsys.readouterr().err


@POSIX
@pytest.mark.parametrize("command", ["waive", "fix", "baseline"])
def test_a_read_only_file_is_refused(tmp_path: Path, capsys: Any, command: str) -> None:
    fixable = BOT.replace("reranker: false", "reranker: none")
    target = project(tmp_path, fixable if command == "fix" else BOT)
    if command == "baseline":
        target = target.parent / "baseline.json"
        target.write_text('{"ragft_lint_baseline": 1, "findings": []}\n')
    before = target.read_bytes()
    os.chmod(target, 0o444)
    if command == "waive":
        status = waive(target, "RG002")
    else:
        extra = ["--fix"] if command == "fix" else ["--write-baseline", str(target)]
        status = main(["check", "--no-evidence", "-q", *extra, str(target.parent)])
    assert status == 2
    assert target.read_bytes() == before
    assert "read-only" in capsys.readouterr().err


@POSIX
def test_init_does_not_replace_a_hard_linked_declaration(tmp_path: Path) -> None:
    from test_init import SUPPORT_BOT

    target = project(tmp_path)
    os.link(target, tmp_path / "other-name.yaml")
    done = subprocess.run([sys.executable, "-m", "ragft_lint", "init", "--force"],
                          cwd=target.parent, input="\n".join(SUPPORT_BOT) + "\n",
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "hard link" in done.stderr and target.read_text() == BOT


# -- failures of the system: exit 2 with the path --------------------------------------------


@POSIX
def test_a_full_disk_is_exit_2_naming_the_file(tmp_path: Path) -> None:
    target = project(tmp_path, BOT + "# " + "x" * 400 + "\n")
    before = target.read_bytes()
    limit = ("import resource, signal\nsignal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
             "resource.setrlimit(resource.RLIMIT_FSIZE, (300, 300))\n")
    done = child(["waive", "RG002", "bot", "--reason", "r"], target.parent, limit)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert err.startswith("ragft-lint: ragft.yaml: cannot write: ") and "Traceback" not in err
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == [".git", "ragft.yaml"]


@POSIX
def test_an_unwritable_folder_is_exit_2_naming_the_file(tmp_path: Path, monkeypatch: Any,
                                                         capsys: Any) -> None:
    target = project(tmp_path)
    if os.geteuid() != 0:
        os.chmod(target.parent, 0o555)
    else:  # root writes into any folder: refuse the temporary file as the kernel would
        real_open = os.open

        def refusing(path: Any, *args: Any, **kwargs: Any) -> int:
            if str(path).endswith(".tmp"):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(os, "open", refusing)
    try:
        assert waive(target, "RG002") == 2
    finally:
        os.chmod(target.parent, 0o755)
    assert target.read_text() == BOT
    err = capsys.readouterr().err
    assert "ragft.yaml: cannot write: Permission denied; nothing was written" in err


@POSIX
def test_a_reason_that_is_not_utf8_is_exit_2(tmp_path: Path) -> None:
    target = project(tmp_path)
    done = child([b"waive", b"RG002", b"bot", b"--reason", b"caf\xe9 \xff"], target.parent)
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2, err
    assert "--reason is not valid UTF-8" in err and "Traceback" not in err
    assert target.read_text() == BOT
