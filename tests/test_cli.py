"""The `learnplan` command: terminal chat over piped stdin, and settings errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

LEARNPLAN = str(Path(sys.executable).parent / "learnplan")

CONVERSATION = """I want to learn Python testing, 4 weeks, 3h/week, beginner
skip
weekday evenings 19:00-21:00
Europe/Berlin
yes
"""


def _run(
    args: list[str], data_dir: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("LEARNPLAN_", "TELEGRAM_"))
    }
    environment.update({"LEARNPLAN_DATA_DIR": str(data_dir), **env})
    return subprocess.run(
        [LEARNPLAN, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def test_piped_chat_builds_a_plan_that_persists(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = _run(["chat"], data, CONVERSATION)
    assert first.returncode == 0, first.stderr
    assert "Shall I build the plan?" in first.stdout
    assert "Week 4" in first.stdout and "Python testing" in first.stdout
    second = _run(["chat"], data, "/plan\n")
    assert second.returncode == 0, second.stderr
    assert "Python testing in 4 weeks" in second.stdout or "Week 4" in second.stdout


def test_bad_setting_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    result = _run(["chat"], tmp_path, "", LEARNPLAN_LLM_TIMEOUT="soon")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "LEARNPLAN_LLM_TIMEOUT" in lines[0]
    assert "Traceback" not in result.stderr


def test_missing_token_for_run_exits_2(tmp_path: Path) -> None:
    result = _run(["run"], tmp_path, "")
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "Traceback" not in result.stderr


def test_unreachable_mongodb_is_a_clear_startup_error(tmp_path: Path) -> None:
    result = _run(["chat"], tmp_path, "", MONGODB_URI="mongodb://127.0.0.1:9/learnplan")
    assert result.returncode == 2
    assert "MongoDB" in result.stderr and "Traceback" not in result.stderr


def test_chat_is_the_same_product_quiz_buttons_and_files(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = _run(["chat"], data, CONVERSATION)
    assert first.returncode == 0, first.stderr
    session = "\n".join(
        [
            "/quiz",
            "1",
            "1",
            "1",
            "/plan",
            "week 1",
            "/calendar",
            "/progress",
            "/export",
            "/forget",
            "yes",
            "",
        ]
    )
    second = _run(["chat"], data, session)
    assert second.returncode == 0, second.stderr
    out = second.stdout
    assert "Traceback" not in second.stderr and "❓ Week 1 · 1/" in out, out
    assert "Week 1 quiz finished" in out, out
    assert "Week 1 —" in out, "typing a button's label presses it"
    saved = [line.split("Saved to ", 1)[1] for line in out.splitlines() if "Saved to " in line]
    assert any(p.endswith(".ics") for p in saved) and any(p.endswith(".png") for p in saved)
    assert len(saved) >= 3, out
    for path in saved:
        assert Path(path).is_file() and Path(path).is_relative_to(data)
    third = _run(["chat"], data, "/plan\n")
    assert "Week 4" not in third.stdout, "“yes” at the /forget confirmation deleted the plan"
