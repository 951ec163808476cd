"""Run every benchmark and write bench/RESULTS.md (date, machine, figures)."""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

MODULES = [
    "turns",
    "fanout",
    "startup",
    "generation",
    "memory",
    "understanding",
    "planning",
    "dbcommands",
]
# Not in the default run, only when named (`./dev bench engines`): minutes each, with
# their sections of RESULTS.md kept by hand: faults, engines (also: places,
# understanding_score).
RESULTS = Path(__file__).with_name("RESULTS.md")


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    return f"{cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}"


def main(argv: list[str]) -> None:
    """`./dev bench [name ...] [--option ...]`: options after the names go to each named bench."""
    first_option = next((i for i, a in enumerate(argv) if a.startswith("-")), len(argv))
    selected, options = argv[:first_option], argv[first_option:]
    sections = []
    for name in selected or MODULES:
        module = importlib.import_module(f"bench.{name}")
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            if options:
                module.main(options)
            else:
                module.main()
        print(buffer.getvalue(), end="", flush=True)
        sections.append(buffer.getvalue().strip())
    header = [
        "# Benchmark results",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {_machine()}.",
        "Produced by `./dev bench`; every ratio is against a baseline measured in the same run.",
        "",
    ]
    body = "\n\n".join(f"```\n{s}\n```" for s in sections)
    if not selected:
        RESULTS.write_text("\n".join(header) + body + "\n")
        print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main(sys.argv[1:])
