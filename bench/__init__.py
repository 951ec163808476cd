"""Benchmarks: `./dev bench` (or `uv run python -m bench`) runs them all.

Every figure is printed next to a baseline measured in the same run, as a ratio:
these machines are noisy, absolute numbers are not comparable across runs.
"""
