"""Storage faults: clear errors at start-up, a friendly "try again" at run time, and
nothing half-written."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.harness import BotUnderTest, texts

LEARNPLAN = str(Path(sys.executable).parent / "learnplan")
GOAL = "Learn Clojure, 3 weeks, 3h/week, beginner, weekends 10:00-12:00, Berlin, topics: macros"


def test_unwritable_data_dir_is_a_clear_startup_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data directory should be")
    result = subprocess.run(
        [LEARNPLAN, "chat"],
        input="",
        capture_output=True,
        text=True,
        env={"LEARNPLAN_DATA_DIR": str(blocker / "data"), "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "not writable" in result.stderr and "Traceback" not in result.stderr


async def test_locked_store_gives_try_again_and_nothing_half_written(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    user = 701
    calls = await bot.say(user, GOAL)
    plans_file = bot.data_dir / "mongo" / "learnplan" / "learning_plans"
    assert plans_file.exists()
    blocker = sqlite3.connect(plans_file, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")  # another writer holds the file: writes fail
    try:
        failed = await bot.press_button(user, calls[-1], "Build my plan")
    finally:
        blocker.rollback()
        blocker.close()
    assert "try again" in texts(failed)
    store = bot.runtime.store  # type: ignore[union-attr]
    assert await store.active_plan(user) is None, "no plan may be half-stored"
    assert await store.plan_versions(user) == []
    calls = await bot.say(user, "yes")
    if "Shall I build the plan?" in texts(calls):
        calls = await bot.press_button(user, calls[-1], "Build my plan")
    assert "Week 3" in texts(calls)
    stored = await store.active_plan(user)
    assert stored is not None and len(stored[1].weeks) == 3
    assert [v["version"] for v in await store.plan_versions(user)] == [stored[0]]
