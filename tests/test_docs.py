"""Documentation that stays true by construction: the CLI reference (docs/cli.md) is generated
from the parser by cog and lists every command and option; the README's library example runs
as a doctest."""

from __future__ import annotations

import argparse
import doctest
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coopgraph.cli import build_parser

from .conftest import REPO

CLI_REFERENCE = REPO / "docs" / "cli.md"
README = REPO / "README.md"


def commands(
    parser: argparse.ArgumentParser, name: str = "coopgraph"
) -> list[tuple[str, argparse.ArgumentParser]]:
    """Every command and subcommand with its parser, ``coopgraph`` first."""
    out = [(name, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub, sub_parser in action.choices.items():
                out += commands(sub_parser, f"{name} {sub}")
    return out


def sections(text: str) -> dict[str, str]:
    """The reference's sections by command (headings like ``### `coopgraph import profile` ``)."""
    parts = re.split(r"^#{2,} `(coopgraph[^`]*)`\n", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def cog(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cogapp", *args],
        capture_output=True, text=True, timeout=120, cwd=REPO, check=False,
    )  # fmt: skip


def test_cli_reference_is_what_the_parser_generates() -> None:
    run = cog("--check", "--diff", str(CLI_REFERENCE))
    assert run.returncode == 0, (
        "docs/cli.md is out of date: regenerate it with `.venv/bin/cog -r docs/cli.md`\n"
        + run.stdout
        + run.stderr
    )


def test_a_stale_cli_reference_is_noticed(tmp_path: Path) -> None:
    stale = tmp_path / "cli.md"
    text = CLI_REFERENCE.read_text(encoding="utf-8")
    stale.write_text(text.replace("| `--dry-run` |", "| `--dry-rum` |", 1), encoding="utf-8")
    assert stale.read_text(encoding="utf-8") != text
    assert cog("--check", str(stale)).returncode != 0


def test_every_command_and_option_is_in_the_cli_reference() -> None:
    documented = sections(CLI_REFERENCE.read_text(encoding="utf-8"))
    every = commands(build_parser())
    assert [name for name, _ in every] == list(documented)
    for name, parser in every:
        section = documented[name]
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices:
                    assert f"| `{sub}` |" in section, (name, sub)
            elif action.option_strings:
                for option in action.option_strings:
                    assert f"`{option}`" in section, (name, option)
                for choice in action.choices or ():
                    assert f"`{choice}`" in section, (name, action.dest, choice)
            else:
                metavar = str(action.metavar or action.dest).replace("|", "\\|")
                assert f"| `{metavar}` |" in section, (name, metavar)
            if action.help and action.help is not argparse.SUPPRESS:
                assert " ".join(action.help.split()).replace("|", "\\|") in section, (name, action)


def readme_example() -> str:
    """The README's library example (the ``pycon`` block under "## Library")."""
    text = README.read_text(encoding="utf-8")
    library = text.split("\n## Library\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"^```pycon\n(.*?)^```$", library, flags=re.MULTILINE | re.DOTALL)
    assert match, "no ```pycon block under ## Library in README.md"
    return match.group(1)


def test_readme_library_example_runs_as_a_doctest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # the example names files of a checkout
    test = doctest.DocTestParser().get_doctest(readme_example(), {}, "README.md", str(README), 0)
    assert len(test.examples) >= 5
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    failures: list[str] = []
    runner.run(test, out=failures.append)
    assert runner.failures == 0, "".join(failures)


def test_a_wrong_answer_in_the_readme_example_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    wrong = readme_example().replace("'05515000'", "'05515001'")
    test = doctest.DocTestParser().get_doctest(wrong, {}, "README.md", str(README), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, out=lambda _: None)
    assert runner.failures == 1


def test_cog_is_installed_with_the_dev_extra() -> None:
    assert shutil.which("cog", path=str(Path(sys.executable).parent)) is not None
