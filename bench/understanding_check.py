"""Check the shape of an understanding set without running the bot.

`uv run --frozen python -m bench.understanding_check holdout2` (or `holdout3`) loads every line of
`bench/understanding/<part>.jsonl` and checks what a writer can get wrong by hand: required
keys, groups, unique ids, fixed `today` dates, plan references and module ids that exist,
operations on weeks that exist, IANA time zones, deadlines that parse and lie after `today`,
values inside the bounds the bot accepts. Then it builds, from each expectation, the ideal
output `learnplan understand` would print and scores it with `score_item`: every item must be
fully right against its own ideal answer, which proves the expectation is in the format the
scorer reads. It never calls the bot, so it says nothing about how the bot does on the set.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bench.understanding_score import FIELDS, score_item

SET_DIR = Path(__file__).with_name("understanding")
GROUPS = ("intake_first", "answers", "progress", "refine", "questions")
INTENTS = {
    "intake",
    "nonanswer",
    "done",
    "not_done",
    "partial",
    "log",
    "refine",
    "undo",
    "redo",
    "question",
    "smalltalk",
}
NONANSWERS = {"unsure", "later", "anything", "question", "yes"}
ASKING = {None, "confirm", *FIELDS}
SKILLS = {"beginner", "intermediate", "advanced"}
DAYS = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
OP_KEYS = {
    "set_weeks": {"weeks"},
    "set_hours": {"hours"},
    "lighter_week": {"week"},
    "heavier_week": {"week"},
    "swap_weeks": {"week", "other_week"},
    "move_week": {"week", "to"},
    "drop_quiz": {"week"},
    "add_topic": {"topic"},
    "remove_topic": {"topic"},
    "more_on": {"topic"},
    "more_practice": set(),
    "less_reading": set(),
    "harder": set(),
}


def ideal_output(expect: dict[str, Any]) -> dict[str, Any]:
    """What a perfect `learnplan understand` line for this expectation would hold."""
    fields = expect.get("fields", {})
    return {
        "intent": expect["intent"],
        "fields": {name: fields.get(name) for name in FIELDS},
        "module": expect.get("module"),
        "minutes": expect.get("minutes"),
        "ops": expect.get("ops", []),
        "ambiguous": expect.get("ambiguous", []),
        "nonanswer": expect.get("nonanswer"),
        "source": "ideal",
    }


def _zone_ok(name: Any) -> bool:
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _check_fields(fields: dict[str, Any], today: date) -> list[str]:
    problems = [f"unknown field {k}" for k in fields if k not in FIELDS]
    if "skill_level" in fields and fields["skill_level"] not in SKILLS:
        problems.append(f"skill {fields['skill_level']!r}")
    if "hours_per_week" in fields and not 1 <= fields["hours_per_week"] <= 60:
        problems.append(f"hours {fields['hours_per_week']} outside 1-60")
    if "weeks" in fields and not (isinstance(fields["weeks"], int) and 1 <= fields["weeks"] <= 52):
        problems.append(f"weeks {fields['weeks']!r}")
    if "timezone" in fields and not _zone_ok(fields["timezone"]):
        problems.append(f"time zone {fields['timezone']!r}")
    if "deadline" in fields:
        try:
            if date.fromisoformat(fields["deadline"]) <= today:
                problems.append("deadline not after today")
        except (TypeError, ValueError):
            problems.append(f"deadline {fields['deadline']!r}")
    if "topics" in fields and not isinstance(fields["topics"], list):
        problems.append("topics not a list")
    for slot in fields.get("availability", []):
        if not slot.get("days") or not set(slot["days"]) <= DAYS:
            problems.append(f"days {slot.get('days')!r}")
        for key in ("start", "end"):
            value = slot.get(key)
            if value is not None and (len(value) != 5 or value[2] != ":"):
                problems.append(f"{key} {value!r} is not HH:MM")
    return problems


def _check_ops(ops: list[dict[str, Any]], plan: dict[str, Any]) -> list[str]:
    problems = []
    weeks = {w["week"] for w in plan["weeks"]}
    for op in ops:
        keys = OP_KEYS.get(op.get("op"))
        if keys is None or set(op) - {"op"} != keys:
            problems.append(f"op {op!r}")
            continue
        for key in ("week", "other_week", "to"):
            if key in op and op[key] not in weeks:
                problems.append(f"{op['op']} names week {op[key]} the plan does not have")
        if op["op"] == "set_weeks" and not 1 <= op["weeks"] <= 52:
            problems.append(f"set_weeks {op['weeks']}")
        if op["op"] == "set_hours" and not 1 <= op["hours"] <= 60:
            problems.append(f"set_hours {op['hours']}")
    return problems


def check_item(item: dict[str, Any], plans: dict[str, Any]) -> list[str]:
    """Problems with one item; empty when it is well formed."""
    problems = []
    for key in ("id", "group", "input", "expect"):
        if key not in item:
            return [f"missing {key}"]
    inp, expect = item["input"], item["expect"]
    if item["group"] not in GROUPS:
        problems.append(f"group {item['group']!r}")
    missing = {"text", "phase", "asking", "goal", "today"} - set(inp)
    if missing or ("plan" not in inp and "plan_ref" not in inp):
        problems.append(f"input lacks {sorted(missing) or 'plan/plan_ref'}")
        return problems
    today = date.fromisoformat(inp["today"])
    if inp["phase"] not in ("intake", "planned") or inp["asking"] not in ASKING:
        problems.append("phase or asking")
    plan = None
    if "plan_ref" in inp:
        plan = plans.get(inp["plan_ref"])
        if plan is None:
            problems.append(f"plan_ref {inp['plan_ref']!r}")
    elif inp["plan"] is not None:
        plan = inp["plan"]
    if inp["phase"] == "planned" and plan is None:
        problems.append("planned phase without a plan")
    if expect.get("intent") not in INTENTS:
        problems.append(f"intent {expect.get('intent')!r}")
    if "fields" in expect:
        problems += _check_fields(expect["fields"], today)
        alternatives = expect.get("goal_alternatives")
        if alternatives and "goal" not in expect["fields"]:
            problems.append("goal_alternatives without a goal")
    for name in expect.get("ambiguous", []):
        if name not in FIELDS or name in expect.get("fields", {}):
            problems.append(f"ambiguous {name!r}")
    if "nonanswer" in expect and expect["nonanswer"] not in NONANSWERS:
        problems.append(f"nonanswer {expect['nonanswer']!r}")
    if expect.get("intent") == "nonanswer" and expect.get("fields"):
        problems.append("a non-answer with values")
    module = expect.get("module")
    if module not in (None, "ambiguous"):
        ids = {m["id"] for w in (plan or {}).get("weeks", []) for m in w["modules"]}
        if module not in ids:
            problems.append(f"module {module!r} not in the plan")
    if "ops" in expect:
        problems += _check_ops(expect["ops"], plan or {"weeks": []})
    checks = score_item(expect, json.loads(json.dumps(ideal_output(expect))))
    problems += [f"ideal output fails check {name}" for name, ok in checks.items() if not ok]
    return problems


def _texts(part: str) -> set[str]:
    path = SET_DIR / f"{part}.jsonl"
    if not path.exists():
        return set()
    lines = path.read_text().splitlines()
    return {json.loads(line)["input"]["text"].strip().casefold() for line in lines if line.strip()}


def main(argv: list[str]) -> int:
    part = argv[0] if argv else "holdout2"
    plans = json.loads((SET_DIR / "plans.json").read_text())
    items = [json.loads(line) for line in (SET_DIR / f"{part}.jsonl").read_text().splitlines()]
    parts = ("dev", "holdout", "holdout2", "holdout3", "holdout4")
    others = set().union(*(_texts(p) for p in parts if p != part))
    bad = 0
    ids: Counter[str] = Counter(item.get("id") for item in items)
    texts: Counter[str] = Counter(item["input"]["text"].strip().casefold() for item in items)
    for item in items:
        problems = check_item(item, plans)
        if ids[item.get("id")] > 1:
            problems.append("duplicate id")
        text = item["input"]["text"].strip().casefold()
        if texts[text] > 1 and item["input"].get("asking") is None:
            problems.append("duplicate text")
        if text in others:
            problems.append("same text as another part")
        if problems:
            bad += 1
            print(f"{item.get('id')}: {'; '.join(problems)}")
    groups = Counter(item.get("group") for item in items)
    print(
        f"{part}: {len(items)} items, {bad} with problems; "
        + ", ".join(f"{g} {groups[g]}" for g in GROUPS)
    )
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
