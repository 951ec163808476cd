"""/help and the README's command table list the same commands."""

from __future__ import annotations

import re
from pathlib import Path

from agent import texts
from agent.features import features

README = Path(__file__).resolve().parent.parent / "README.md"


def _readme_commands() -> set[str]:
    text = README.read_text(encoding="utf-8")
    table = text.split("### What people can do", 1)[1].split("\n\n", 2)[1]
    first_cells = [line.split("|")[1] for line in table.splitlines() if line.startswith("| ")]
    return {c for cell in first_cells for c in re.findall(r"`/([a-z_]+)", cell)}


def test_help_and_the_readme_list_the_same_commands() -> None:
    in_help = set(re.findall(r"^/([a-z_]+) —", texts.HELP, re.M))
    assert {"today", "reminders", "remind"} <= in_help
    assert in_help == _readme_commands()


def test_every_command_in_help_exists() -> None:
    known = {c for f in features() for c in f.commands}
    assert set(re.findall(r"^/([a-z_]+) —", texts.HELP, re.M)) <= known
