"""Progress words of other languages read as English ("dritte Modul der ersten Woche" →
"third module of first week"), so the module rules (`agent.understanding.progress_modules`)
read positions said in German, Italian, Spanish, French or Polish. Plan titles are not
changed; only the words listed under ``foreign_words`` in ``data/progress.yaml`` are.
Number words after "week" or "module" ("week one") and roman part numbers ("ownership
II") are written as digits, the forms the position and part rules read.
"""

from __future__ import annotations

import re
from functools import cache

from agent.understanding.progress_modules import phrases, words
from agent.understanding.text import swap_words


@cache
def _table() -> dict[str, str]:
    return {
        str(word).lower(): str(target)
        for target, forms in words()["foreign_words"].items()
        for word in forms
    }


@cache
def _numbers() -> tuple[re.Pattern[str], dict[str, int]]:
    numbers = {str(k).lower(): int(v) for k, v in words()["position_numbers"].items()}
    pattern = re.compile(rf"\b(week|wk|module|mod)\s+({phrases(numbers)})\b")
    return pattern, numbers


@cache
def _romans() -> tuple[re.Pattern[str], dict[str, int]]:
    numerals = {str(k).lower(): int(v) for k, v in words()["roman_numerals"].items()}
    return re.compile(rf"(?<![\w'-])({phrases(numerals)})(?![\w'-])"), numerals


def to_english(text: str) -> str:
    """`text` (lowercased) with the listed foreign progress words replaced by English and
    "week one" written "week 1"."""
    text = swap_words(text, _table(), joiners="'-")
    numbers, values = _numbers()
    text = numbers.sub(lambda m: f"{m.group(1)} {values[m.group(2)]}", text)
    romans, digits = _romans()
    return romans.sub(lambda m: str(digits[m.group(1)]), text)
